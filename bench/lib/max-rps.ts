// The api_max_rps search of bench/order-path.ts: which screened rates are confirmed, in what order.

/**
 * The rates to confirm, at most `max`: the best screened rate, then after each failure the best held
 * rate at most two thirds of the one that failed. Walking down every held rate in turn ran out of
 * confirmations between 1,000 and 500/s and reported 0 where 300/s would have held.
 */
export function confirmationLadder(held: readonly number[], max: number): number[] {
  const descending = [...held].sort((a, b) => b - a);
  const ladder: number[] = [];
  for (const rate of descending) {
    if (ladder.length >= max) break;
    const last = ladder.at(-1);
    if (last === undefined || rate <= (last * 2) / 3) ladder.push(rate);
  }
  return ladder;
}
