import type { NextConfig } from "next";

const config: NextConfig = {
  transpilePackages: ["@fillmore/shared"],
  poweredByHeader: false,
  reactStrictMode: true,
};
export default config;
