"use client";
import { AdminShell } from "../../../components/admin/admin-shell";
import { InstrumentsAdmin } from "../../../components/admin/instruments-admin";

/** Admin → Instruments: changes apply at once, without a restart, journaled with who and why. */
export default function AdminInstrumentsPage() {
  return <AdminShell title="Instruments">{({ canWrite }) => <InstrumentsAdmin canWrite={canWrite} />}</AdminShell>;
}
