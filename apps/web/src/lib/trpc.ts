"use client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import type { AppRouter } from "../server/routers/root";

export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();
