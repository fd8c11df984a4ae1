"use client";
import { AdminShell } from "../../../components/admin/admin-shell";
import { VenuesAdmin } from "../../../components/admin/venues-admin";

/** Admin → Venues: add, change, enable/disable and test venues at runtime (no restart). */
export default function AdminVenuesPage() {
  return <AdminShell title="Venues">{({ canWrite }) => <VenuesAdmin canWrite={canWrite} />}</AdminShell>;
}
