import { createReadStream, readFileSync, statSync } from 'node:fs';
import { fail } from './errors.js';

import { CsvParser, detectDelimiter, type Delimiter, type RecordHandler } from './csv-parser.js';
export { CsvParser, detectDelimiter, MAX_RECORD, type Delimiter, type RecordHandler } from './csv-parser.js';

/** Checks that `file` is a readable file (one-line errors otherwise) and returns its size in bytes. */
export function fileSize(file: string): number {
  try {
    const s = statSync(file);
    if (s.isDirectory()) fail(`${file} is a directory, not a CSV file`);
    return s.size;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') fail(`cannot read ${file}: no such file`);
    if (code === 'EACCES') fail(`cannot read ${file}: permission denied`);
    throw e;
  }
}

/** What a reader of a CSV file gets told first: the header, and the separator it was read with. */
export interface Header {
  file: string;
  columns: string[];
  delimiter: Delimiter;
}

/**
 * Streams a CSV file with a header row: `onHeader` once (it may throw to refuse the columns), then
 * `onRow` for each data row, checked to have as many fields as the header. A byte-order mark is
 * dropped; every problem is a one-line CliError naming the file and line.
 */
export async function readCsv(file: string, onHeader: (h: Header) => void, onRow: RecordHandler): Promise<{ rows: number }> {
  fileSize(file);
  const reader = csvReader(file, onHeader, onRow);
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 16 });
  try {
    for await (const chunk of stream) reader.push(chunk as string);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES') fail(`cannot read ${file}: permission denied`);
    if (code === 'EISDIR') fail(`${file} is a directory, not a CSV file`);
    throw e;
  } finally {
    stream.destroy();
  }
  return reader.end();
}

/** readCsv for a small file read at once (the bundled digits data, where callers are synchronous). */
export function readCsvSync(file: string, onHeader: (h: Header) => void, onRow: RecordHandler): { rows: number } {
  fileSize(file);
  const reader = csvReader(file, onHeader, onRow);
  reader.push(readFileSync(file, 'utf8'));
  return reader.end();
}

function csvReader(file: string, onHeader: (h: Header) => void, onRow: RecordHandler) {
  let parser: CsvParser | null = null;
  let delimiter: Delimiter = ',';
  let header: Header | null = null;
  let rows = 0;
  const record: RecordHandler = (cells, line, offset) => {
    if (!header) {
      header = { file, columns: [...cells], delimiter };
      checkHeader(header);
      onHeader(header);
      return;
    }
    if (cells.length !== header.columns.length) {
      fail(`${file}: line ${line} has ${cells.length} field${cells.length === 1 ? '' : 's'} but the header has ${header.columns.length}${delimiterHint(header, cells)}`);
    }
    rows++;
    onRow(cells, line, offset);
  };
  return {
    push(text: string): void {
      let chunk = text;
      if (!parser) {
        if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
        // a NUL in the first block: an executable, an image, a spreadsheet, UTF-16…, not a text CSV
        if (chunk.includes('\u0000')) fail(`${file} is not a text CSV file (it holds NUL bytes; a spreadsheet must be saved as CSV, UTF-8)`);
        delimiter = detectDelimiter(chunk.replace(/^\s*[\r\n]+/, ''));
        parser = new CsvParser(delimiter, record, file);
      }
      parser.push(chunk);
    },
    end(): { rows: number } {
      parser?.end();
      if (!header) fail(`${file} is empty: expected a header row and at least one data row`);
      if (rows === 0) fail(`${file} has a header row but no data rows`);
      return { rows };
    },
  };
}

function checkHeader(h: Header): void {
  h.columns.forEach((name, i) => {
    if (name === '' && !(i === 0 && hasRowLabels(h))) fail(`${h.file}: the header has an empty column name (column ${i + 1}); the first row must name every column`);
  });
  const seen = new Set<string>();
  for (const name of h.columns) {
    if (seen.has(name)) fail(`${h.file}: the header names column '${name}' twice`);
    seen.add(name);
  }
}

/**
 * A first column without a name, before named ones, holds row labels: pandas' `to_csv()` writes its index
 * that way and R's `write.csv()` its row names. It is neither a feature nor a label.
 */
export function hasRowLabels(h: Header): boolean {
  return h.columns.length > 1 && h.columns[0] === '' && h.columns.slice(1).every((c) => c !== '');
}

/** When a one-column header meets a wider row (or the reverse), the separator is the likely culprit. */
function delimiterHint(h: Header, cells: string[]): string {
  const shown = h.delimiter === '\t' ? 'tab' : `'${h.delimiter}'`;
  if (h.columns.length === 1 || cells.length === 1) {
    return ` (read with the separator ${shown}, detected from the header; fields must be separated by ',', ';' or tabs, the same in every line)`;
  }
  return '';
}
