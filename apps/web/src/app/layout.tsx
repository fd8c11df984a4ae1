import type { ReactNode } from "react";
import { Providers } from "../components/providers";
import "./globals.css";

export const metadata = { title: "Fillmore", description: "Trade execution engine console" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
