import pg from "pg";
import { verifyJournal } from "./verify";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("audit:verify needs DATABASE_URL (npm start prints it; .data/database-url holds the demo one)");
  process.exit(2);
}
const pool = new pg.Pool({ connectionString: url, max: 1 });
const result = await verifyJournal(pool);
await pool.end();
if (result.ok) {
  console.log(`journal verified: ${result.events} events, hash chain intact`);
} else {
  console.error(`journal BROKEN at event seq=${result.seq}: ${result.problem} (${result.events} events verified before it)`);
  process.exit(1);
}
