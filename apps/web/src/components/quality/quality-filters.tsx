"use client";

export const PRESETS = [
  { id: "15m", label: "15 min", ms: 15 * 60_000 },
  { id: "1h", label: "1 hour", ms: 3600_000 },
  { id: "24h", label: "24 hours", ms: 24 * 3600_000 },
  { id: "7d", label: "7 days", ms: 7 * 24 * 3600_000 },
  { id: "all", label: "All", ms: null },
] as const;
export type PresetId = (typeof PRESETS)[number]["id"] | "custom";

export interface FilterState {
  preset: PresetId;
  from: string | undefined;
  to: string | undefined;
  venue: string;
  symbol: string;
  strategy: string;
}

/** A preset's range ending now (fixed at the moment it is chosen, so the queries stay put). */
export function presetRange(id: PresetId, nowMs = Date.now()): { from: string | undefined; to: string | undefined } {
  const p = PRESETS.find((x) => x.id === id);
  if (!p || p.ms === null) return { from: undefined, to: undefined };
  return { from: new Date(nowMs - p.ms).toISOString(), to: undefined };
}

/** datetime-local value (UTC shown as such) ↔ ISO. */
const toLocal = (iso: string | undefined) => (iso ? iso.slice(0, 16) : "");
const fromLocal = (v: string) => (v ? new Date(`${v}:00Z`).toISOString() : undefined);

function Pick({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: string;
  options: readonly string[];
  onChange: (v: string) => void;
}) {
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value)} aria-label={label}>
        <option value="">all</option>
        {options.map((o) => (
          <option key={o}>{o}</option>
        ))}
      </select>
    </label>
  );
}

/** Date range (presets or from/to in UTC), venue, symbol, strategy. */
export function QualityFilters({
  value,
  onChange,
  venues,
  symbols,
  strategies,
}: {
  value: FilterState;
  onChange: (next: FilterState) => void;
  venues: readonly string[];
  symbols: readonly string[];
  strategies: readonly string[];
}) {
  return (
    <div className="quality-filters">
      <fieldset className="segmented" aria-label="Date range">
        {PRESETS.map((p) => (
          <button
            key={p.id}
            type="button"
            className={value.preset === p.id ? "active" : undefined}
            aria-pressed={value.preset === p.id}
            onClick={() => onChange({ ...value, preset: p.id, ...presetRange(p.id) })}
          >
            {p.label}
          </button>
        ))}
      </fieldset>
      <label>
        From (UTC)
        <input
          type="datetime-local"
          aria-label="From (UTC)"
          value={toLocal(value.from)}
          onChange={(e) => onChange({ ...value, preset: "custom", from: fromLocal(e.target.value) })}
        />
      </label>
      <label>
        To (UTC)
        <input
          type="datetime-local"
          aria-label="To (UTC)"
          value={toLocal(value.to)}
          onChange={(e) => onChange({ ...value, preset: "custom", to: fromLocal(e.target.value) })}
        />
      </label>
      <Pick label="Venue" value={value.venue} options={venues} onChange={(venue) => onChange({ ...value, venue })} />
      <Pick label="Symbol" value={value.symbol} options={symbols} onChange={(symbol) => onChange({ ...value, symbol })} />
      <Pick label="Strategy" value={value.strategy} options={strategies} onChange={(strategy) => onChange({ ...value, strategy })} />
    </div>
  );
}
