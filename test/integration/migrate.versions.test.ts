import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import t from "tap";
import { silentLogger } from "../../shared/log";
import { listMigrations, migrate, migrationsDir, SchemaTooNewError } from "../../server/db/migrate";
import { testDatabase } from "../support/pg";

const log = silentLogger();

t.test("migrations apply once, and a second run applies nothing", async (t) => {
  const { sql } = await testDatabase(t, { migrate: false });
  const all = listMigrations().map((m) => m.version);

  t.same(await migrate(sql, { log }), all);
  t.same(await migrate(sql, { log }), []);
  const rows = await sql`SELECT version FROM schema_migrations ORDER BY version`;
  t.same(rows.map((r) => r.version), all);
});

t.test("two servers migrating at once apply each file once", async (t) => {
  const { sql } = await testDatabase(t, { migrate: false });
  const [a, b] = await Promise.all([migrate(sql, { log }), migrate(sql, { log })]);
  t.equal(a.length + b.length, listMigrations().length);
});

t.test("a schema newer than the code is refused with both versions named", async (t) => {
  const { sql } = await testDatabase(t);
  const newest = listMigrations().at(-1)!.version;
  await sql`
    INSERT INTO schema_migrations (version, name) VALUES (${newest + 1}, 'from_the_future')`;

  const err = await migrate(sql, { log }).catch((e: unknown) => e);
  t.type(err, SchemaTooNewError);
  t.match((err as Error).message, new RegExp(`version ${newest + 1}\\b.*version ${newest}\\b`));
});

t.test("migrations are found from the compiled dist tree too", async (t) => {
  const fromDist = path.join(path.dirname(migrationsDir()), "..", "..", "dist", "server", "db");
  t.equal(migrationsDir(fromDist), migrationsDir());
});

t.test("a later migration file is applied after the ones already there", async (t) => {
  const { sql } = await testDatabase(t);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "migrations-"));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const m of listMigrations()) fs.copyFileSync(m.file, path.join(dir, path.basename(m.file)));
  const next = listMigrations().at(-1)!.version + 1;
  const file = `${String(next).padStart(4, "0")}_add_note.sql`;
  fs.writeFileSync(path.join(dir, file), "ALTER TABLE agents ADD COLUMN note text;");

  t.same(await migrate(sql, { log, dir }), [next]);
  const [column] = await sql`
    SELECT count(*) AS n FROM information_schema.columns
     WHERE table_name = 'agents' AND column_name = 'note'`;
  t.equal(column.n, 1);
});
