import net from "node:net";
import type { Order } from "@fillmore/shared";
import type { OrderIdRange } from "../../orders/order-ids";
import type { BrokerAdapter, OrderChanges, VenueCapabilities, VenueOrderStatus, VenuePosition, VenueReport } from "../adapter";
import { SIM_CAPABILITIES } from "./sim-venue";
import { type ExchangeInjection, type ExchangeMessage, type ExchangeRequest, type ExchangeStats, lineReader } from "./wire";

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };
type RequestBody = ExchangeRequest extends infer R ? (R extends ExchangeRequest ? Omit<R, "id" | "venue"> : never) : never;

/** A simulated venue reached over loopback TCP in the exchange process (see exchange-server.ts). */
export class RemoteSimVenue implements BrokerAdapter {
  readonly capabilities: VenueCapabilities = SIM_CAPABILITIES;
  private socket: net.Socket | undefined;
  private readonly listeners: ((r: VenueReport) => void)[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private wanted = false;
  private reconnecting = false;

  constructor(
    readonly name: string,
    private readonly host: string,
    private readonly port: number,
  ) {}

  async connect(): Promise<void> {
    this.wanted = true;
    await this.open();
  }

  async disconnect(): Promise<void> {
    this.wanted = false;
    this.socket?.destroy();
    this.socket = undefined;
  }

  isHealthy(): boolean {
    return this.socket !== undefined && !this.socket.destroyed;
  }

  onReport(listener: (r: VenueReport) => void): void {
    this.listeners.push(listener);
  }

  async submitOrder(order: Order): Promise<void> {
    await this.request({ op: "submit", order });
  }

  async cancelOrder(order: Order): Promise<void> {
    await this.request({ op: "cancel", order });
  }

  async modifyOrder(order: Order, changes: OrderChanges): Promise<void> {
    await this.request({ op: "modify", order, changes });
  }

  async getOrderStatus(orderId: string): Promise<VenueOrderStatus> {
    return (await this.request({ op: "status", orderId })) as VenueOrderStatus;
  }

  async recoverOrders(range: OrderIdRange): Promise<Order[]> {
    return (await this.request({ op: "recover", range })) as Order[];
  }

  async stats(): Promise<ExchangeStats> {
    return (await this.request({ op: "stats" })) as ExchangeStats;
  }

  /** The exchange process keeps positions per account from its own fills, across engine restarts. */
  async getPositions(accountId?: string): Promise<VenuePosition[]> {
    return (await this.request({ op: "positions", ...(accountId === undefined ? {} : { accountId }) })) as VenuePosition[];
  }

  /** Test injection into the exchange process (see ExchangeInjection); answers the trade's exec id. */
  async inject(injection: ExchangeInjection): Promise<string> {
    return (await this.request({ op: "inject", inject: injection })) as string;
  }

  private open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: this.host, port: this.port });
      socket.setNoDelay(true);
      socket.once("connect", () => {
        this.socket = socket;
        this.request({ op: "hello" }).then(() => resolve(), reject);
      });
      socket.once("error", reject);
      socket.on(
        "data",
        lineReader((value) => this.receive(value as ExchangeMessage)),
      );
      socket.on("close", () => {
        if (this.socket === socket) this.socket = undefined;
        for (const p of this.pending.values()) p.reject(new Error(`${this.name}: connection closed`));
        this.pending.clear();
        if (this.wanted) this.reconnectLater();
      });
    });
  }

  /** Keeps trying to reach the exchange while the adapter is wanted; unhealthy meanwhile. */
  private reconnectLater(): void {
    if (this.reconnecting) return;
    this.reconnecting = true;
    setTimeout(() => {
      this.reconnecting = false;
      if (this.wanted && !this.socket) this.open().catch(() => this.reconnectLater());
    }, 500).unref();
  }

  private receive(message: ExchangeMessage): void {
    if ("push" in message) {
      if (message.venue === this.name) for (const listener of this.listeners) listener(message.report);
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.ok) pending.resolve(message.result);
    else pending.reject(new Error(message.error));
  }

  private request(body: RequestBody): Promise<unknown> {
    const socket = this.socket;
    if (!socket) return Promise.reject(new Error(`${this.name}: not connected`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      socket.write(`${JSON.stringify({ ...body, id, venue: this.name })}\n`);
    });
  }
}
