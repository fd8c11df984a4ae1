import type { BrokerAdapter, VenueCapabilities, VenueOrderStatus, VenuePosition } from "../venues/adapter";

/**
 * Stands in for a venue whose row is invalid at start while orders are still working there: the row
 * cannot be built, but its orders must not be lost. They stay in the book, shown and counted; the
 * venue is DOWN (never healthy), so reconciliation leaves them unresolved with an OUTCOME_UNKNOWN
 * alert instead of guessing; a cancel is journaled (PendingCancel) and its send fails with the reason,
 * and once the row is corrected (Admin → Venues) the real adapter replaces this one and the
 * reconciliation that follows the venue coming UP sends the pending cancels. It takes no new orders
 * (no order types; the venue is also closed to directed orders) and no modifications.
 */
export class UnavailableVenue implements BrokerAdapter {
  readonly capabilities: VenueCapabilities = { ordTypes: [], timeInForces: [], nativeStops: false, modify: false, cancel: true };
  readonly positionsUnsupported: string;

  constructor(
    readonly name: string,
    private readonly reason: string,
  ) {
    this.positionsUnsupported = this.why();
  }

  private why(): string {
    return `venue ${this.name} is not running: its row is invalid (${this.reason}); correct it in Admin → Venues`;
  }

  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}
  isHealthy(): boolean {
    return false;
  }
  onReport(): void {}

  async submitOrder(): Promise<void> {
    throw new Error(this.why());
  }
  async cancelOrder(): Promise<void> {
    throw new Error(`${this.why()}; the cancel is on record and is sent once the venue runs`);
  }
  async modifyOrder(): Promise<void> {
    throw new Error(this.why());
  }
  async getOrderStatus(): Promise<VenueOrderStatus> {
    throw new Error(this.why());
  }
  async getPositions(): Promise<VenuePosition[]> {
    throw new Error(this.why());
  }
}
