import type { ReactNode } from "react";

/**
 * Where a page's passing notices go (stale data, a refused action, a resync): a layer fixed at the
 * bottom left, over the page and not in its flow. A notice that comes or goes on its own must not
 * move the rows and buttons under the user's pointer (the stale banner above the blotter moved every
 * row by 28 px, so a Cancel pressed as it came could end beside the button). Clicks pass through the
 * layer. The halt banner is not a notice: it is part of the header, on every page, while trading is
 * halted.
 */
export function Notices({ children }: { children: ReactNode }) {
  return <div className="notices">{children}</div>;
}
