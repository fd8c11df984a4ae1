"use client";
import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { useTRPC } from "./trpc";

/** Who is signed in (`session.me`); sends an unauthenticated visitor to the login page. */
export function useSession() {
  const trpc = useTRPC();
  const router = useRouter();
  const me = useQuery(trpc.session.me.queryOptions(undefined, { retry: false, staleTime: 60_000 }));
  useEffect(() => {
    if (me.error?.data?.code === "UNAUTHORIZED") router.replace("/login");
  }, [me.error, router]);
  return me;
}

/** The message of a failed call: the server's own words (tRPC errors carry them). */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
