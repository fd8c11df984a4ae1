import { describe, expect, it } from "vitest";
import { confirmationLadder } from "./max-rps";

describe("api_max_rps confirmations", () => {
  it("after a failure goes down to at most two thirds of the failed rate, so three confirmations reach 300/s from 1,000/s", () => {
    expect(confirmationLadder([100, 200, 300, 500, 750, 1000], 3)).toEqual([1000, 500, 300]);
  });

  it("confirms the best screened rate first and never more than asked", () => {
    expect(confirmationLadder([100, 200, 300], 3)).toEqual([300, 200, 100]);
    expect(confirmationLadder([100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 4000], 2)).toEqual([4000, 2000]);
    expect(confirmationLadder([], 3)).toEqual([]);
  });
});
