import { readFileSync, statSync } from 'node:fs';
import { CsvError, parse } from 'csv-parse/sync';
import { fail } from './errors.js';

/** A CSV file as text cells: the header row and the data rows (each as long as the header). */
export interface Table {
  file: string;
  columns: string[];
  rows: string[][];
  /** The file line each data row starts on (1-based), for error messages. */
  lines: number[];
}

/** ',' or ';', whichever occurs more often outside quotes in the header line (ties go to ','). */
export function detectDelimiter(text: string): ',' | ';' {
  let commas = 0, semicolons = 0, quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && ch === ',') commas++;
    else if (!quoted && ch === ';') semicolons++;
  }
  return semicolons > commas ? ';' : ',';
}

/** Reads and parses a CSV with a header row; every problem becomes a one-line CliError naming the file. */
export function readTable(file: string): Table {
  let text: string;
  try {
    if (statSync(file).isDirectory()) fail(`${file} is a directory, not a CSV file`);
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') fail(`cannot read ${file}: no such file`);
    if (code === 'EACCES') fail(`cannot read ${file}: permission denied`);
    throw e;
  }
  if (text.trim() === '') fail(`${file} is empty: expected a header row and at least one data row`);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      delimiter: detectDelimiter(text.replace(/^\uFEFF/, '')),
      bom: true,
      trim: true,
      skip_empty_lines: true,
      info: true,
    }) as unknown as typeof records;
  } catch (e) {
    if (e instanceof CsvError) fail(`${file}: ${csvProblem(e)}`);
    throw e;
  }
  const columns = records[0].record, data = records.slice(1);
  const rows = data.map((r) => r.record), lines = data.map((r) => r.info.lines);
  columns.forEach((name, i) => {
    if (name === '') fail(`${file}: the header has an empty column name (column ${i + 1}); the first row must name every column`);
  });
  const seen = new Set<string>();
  for (const name of columns) {
    if (seen.has(name)) fail(`${file}: the header names column '${name}' twice`);
    seen.add(name);
  }
  if (rows.length === 0) fail(`${file} has a header row but no data rows`);
  return { file, columns, rows, lines };
}

/** csv-parse's messages are long and mention options; keep the line number and the gist. */
function csvProblem(e: CsvError): string {
  const line = (e as CsvError & { lines?: number }).lines;
  const where = line ? `line ${line}: ` : '';
  switch (e.code) {
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      return `${where}the row has a different number of fields than the header`;
    case 'CSV_QUOTE_NOT_CLOSED':
      return `${where}a quoted field is not closed`;
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return `${where}unexpected characters after a closing quote`;
    default:
      return `${where}not a valid CSV file (${e.message.split('\n')[0]})`;
  }
}
