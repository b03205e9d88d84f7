/**
 * Realistic result rows for the compressed-page workload (c): tpch `lineitem`'s 16 columns (bigint,
 * integer, double, varchar, date), in Trino's JSON encoding (numbers as numbers, dates as 'YYYY-MM-DD'),
 * from a fixed-seed generator so every run sends the same bytes. Comments are drawn from a small word list
 * as tpch's text generator does, so the page compresses like a real one (≈ 4–5×), not like filler.
 */
export const LINEITEM_COLUMNS = [
  ['l_orderkey', 'bigint'],
  ['l_partkey', 'bigint'],
  ['l_suppkey', 'bigint'],
  ['l_linenumber', 'integer'],
  ['l_quantity', 'double'],
  ['l_extendedprice', 'double'],
  ['l_discount', 'double'],
  ['l_tax', 'double'],
  ['l_returnflag', 'varchar(1)'],
  ['l_linestatus', 'varchar(1)'],
  ['l_shipdate', 'date'],
  ['l_commitdate', 'date'],
  ['l_receiptdate', 'date'],
  ['l_shipinstruct', 'varchar(25)'],
  ['l_shipmode', 'varchar(10)'],
  ['l_comment', 'varchar(44)'],
].map(([name, type]) => ({
  name,
  type,
  typeSignature: { rawType: type.replace(/\(.*/, ''), arguments: [] },
}));

const WORDS = (
  'furiously quickly carefully blithely slyly ironic final regular special pending express bold even ' +
  'silent unusual idle fluffy ruthless packages deposits requests accounts instructions theodolites ' +
  'pinto beans foxes ideas dependencies excuses platelets asymptotes courts dolphins sleep wake haggle ' +
  'nag use boost affix detect integrate cajole among across above against along'
).split(' ');
const INSTRUCT = ['DELIVER IN PERSON', 'COLLECT COD', 'NONE', 'TAKE BACK RETURN'];
const MODES = ['REG AIR', 'AIR', 'RAIL', 'SHIP', 'TRUCK', 'MAIL', 'FOB'];

/** A small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY = 86_400_000;
const START = Date.UTC(1992, 0, 1);
const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** lineitemRows builds `["row",...]` JSON elements joined by commas, at least `bytes` long. */
export function lineitemRows(bytes: number): { json: string; rows: number } {
  const r = rng(20);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const parts: string[] = [];
  let size = 0;
  let order = 1;
  for (let i = 0; size < bytes; i++) {
    const line = (i % 7) + 1;
    if (line === 1) order += int(1, 4);
    const qty = int(1, 50);
    const ship = START + int(0, 2400) * DAY;
    const words = Array.from({ length: int(3, 6) }, () => WORDS[int(0, WORDS.length - 1)]).join(' ');
    const row = JSON.stringify([
      order,
      int(1, 200_000),
      int(1, 10_000),
      line,
      qty,
      Math.round(qty * int(90_000, 110_000)) / 100,
      int(0, 10) / 100,
      int(0, 8) / 100,
      'ANR'[int(0, 2)],
      'FO'[int(0, 1)],
      date(ship),
      date(ship + int(-60, 60) * DAY),
      date(ship + int(1, 30) * DAY),
      INSTRUCT[int(0, 3)],
      MODES[int(0, 6)],
      words.slice(0, 44),
    ]);
    parts.push(row);
    size += row.length + 1;
  }
  return { json: parts.join(','), rows: parts.length };
}
