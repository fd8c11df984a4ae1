import type { BrokerAdapter, VenueReport } from "./adapter";

/**
 * Something an adapter wants a human to know that is not a report about an order: a venue sent
 * data we could not read (and refused it), or handling venue input failed. The engine journals
 * each as an AlertRaised event (`code`, `message`).
 */
export interface VenueAlert {
  /** VENUE_BAD_DATA: the venue sent a value we cannot book (refused, not applied). VENUE_ADAPTER_FAULT: handling its input failed. */
  code: "VENUE_BAD_DATA" | "VENUE_ADAPTER_FAULT";
  venueId: string;
  message: string;
  /** The order concerned, when the adapter knows it. */
  orderId: string | null;
}

/** An adapter that raises alerts (FIX, OsEngine). */
export interface AlertingAdapter {
  onAlert(listener: (alert: VenueAlert) => void): void;
}

export function raisesAlerts(adapter: BrokerAdapter): adapter is BrokerAdapter & AlertingAdapter {
  return typeof (adapter as Partial<AlertingAdapter>).onAlert === "function";
}

/**
 * The listeners of one adapter. A listener that throws never reaches the socket or timer that
 * delivered the venue's data: it is logged and raised as a VENUE_ADAPTER_FAULT alert instead.
 */
export class VenueListeners {
  private readonly reports: ((report: VenueReport) => void)[] = [];
  private readonly alerts: ((alert: VenueAlert) => void)[] = [];

  constructor(
    private readonly venueId: string,
    private readonly log: (line: string) => void,
  ) {}

  onReport(listener: (report: VenueReport) => void): void {
    this.reports.push(listener);
  }

  onAlert(listener: (alert: VenueAlert) => void): void {
    this.alerts.push(listener);
  }

  emit(report: VenueReport): void {
    for (const listener of this.reports) {
      try {
        listener(report);
      } catch (error) {
        this.fault(`a report listener failed on ${report.kind} of ${report.orderId}: ${describe(error)}`, report.orderId);
      }
    }
  }

  alert(code: VenueAlert["code"], message: string, orderId: string | null = null): void {
    this.log(`ALERT ${code}: ${message}`);
    for (const listener of this.alerts) {
      try {
        listener({ code, venueId: this.venueId, message, orderId });
      } catch (error) {
        this.log(`an alert listener failed: ${describe(error)}`);
      }
    }
  }

  /** Handling venue input failed: logged and alerted, never thrown back into the data handler. */
  fault(message: string, orderId: string | null = null): void {
    this.alert("VENUE_ADAPTER_FAULT", message, orderId);
  }
}

export function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
