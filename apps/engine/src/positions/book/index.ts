export { apportionFee, PositionBook } from "./book";
export type * from "./types";
