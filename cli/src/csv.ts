import { createReadStream, readFileSync, statSync } from 'node:fs';
import { fail } from './errors.js';

export type Delimiter = ',' | ';' | '\t';

/**
 * The header line's most frequent separator outside quotes: ',', ';' or tab (ties go to ',', then ';').
 * Only the first line is looked at, as a CSV's header names every column.
 */
export function detectDelimiter(text: string): Delimiter {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && (ch === ',' || ch === ';' || ch === '\t')) counts[ch]++;
  }
  if (counts['\t'] > counts[','] && counts['\t'] > counts[';']) return '\t';
  return counts[';'] > counts[','] ? ';' : ',';
}

/**
 * Receives each record: its cells (trimmed, quotes removed; the array is reused, copy what you keep),
 * its first line, and how many characters of the file came before it (to estimate the rows to come).
 */
export type RecordHandler = (cells: string[], line: number, offset: number) => void;

/** The longest record (in characters) the parser holds. */
export const MAX_RECORD = 8 * 2 ** 20;

const QUOTE = 34, CR = 13, LF = 10, SPACE = 32, TAB = 9;

/**
 * A streaming CSV record parser (RFC 4180 quoting). Feed it text chunks; it calls `onRecord` per complete
 * record. As pandas does, a record ends at "\r\n", "\n" or "\r" (so a file mixing them, such as a CRLF
 * header over LF rows, reads fine), blank lines are skipped, and a quoted field may hold separators,
 * doubled quotes and line breaks. Unquoted fields are trimmed of spaces (and tabs, unless tab separates).
 * Only the record in progress is kept between chunks, so memory does not grow with the file.
 */
export class CsvParser {
  private carry = '';
  private pending: string[] = [];
  private pendingLength = 0;
  private consumed = 0; // characters before the carried record
  private line = 1; // the line the carried (incomplete) record starts on
  private readonly cells: string[] = [];
  private readonly sep: number;

  constructor(delimiter: Delimiter, private readonly onRecord: RecordHandler, private readonly where: string) {
    this.sep = delimiter.charCodeAt(0);
  }

  push(chunk: string): void {
    // A long record in progress is scanned again only once the text after it is as long as itself, so a
    // record spanning many chunks costs linear time; past MAX_RECORD it is refused (an open quote
    // would otherwise hold the rest of the file).
    if (this.carry.length > chunk.length) {
      this.pending.push(chunk);
      this.pendingLength += chunk.length;
      if (this.carry.length + this.pendingLength > MAX_RECORD) {
        fail(`${this.where}: line ${this.line}: a record runs over ${MAX_RECORD / 2 ** 20} MB; is a quote left open?`);
      }
      if (this.pendingLength < this.carry.length) return;
      chunk = this.pending.join('');
      this.pending = [];
      this.pendingLength = 0;
    }
    const text = this.carry + chunk;
    const done = this.scan(text, false);
    this.consumed += done;
    this.carry = text.slice(done);
  }

  end(): void {
    const text = this.carry + this.pending.join('');
    this.pending = [];
    if (text.length) this.scan(text, true);
    this.carry = '';
  }

  /** Parses whole records of `text` and returns where the first incomplete one starts. */
  private scan(text: string, final: boolean): number {
    const n = text.length, sep = this.sep, cells = this.cells;
    const blank = (c: number) => c === SPACE || (c === TAB && sep !== TAB);
    let start = 0; // start of the current record
    let line = this.line;
    for (;;) {
      // one record from `start`
      cells.length = 0;
      let i = start, lines = 0, complete = false, empty = true;
      while (i <= n) {
        // one field
        while (i < n && blank(text.charCodeAt(i))) i++;
        let cell: string;
        if (i < n && text.charCodeAt(i) === QUOTE) {
          empty = false;
          let value = '', from = i + 1, closed = false;
          i++;
          while (i < n) {
            const c = text.charCodeAt(i);
            if (c === QUOTE) {
              if (i + 1 < n && text.charCodeAt(i + 1) === QUOTE) { value += text.slice(from, i + 1); i += 2; from = i; continue; }
              if (i + 1 === n && !final) break; // a doubled quote may continue in the next chunk
              value += text.slice(from, i); i++; closed = true; break;
            }
            if (c === LF || (c === CR && text.charCodeAt(i + 1) !== LF)) lines++;
            i++;
          }
          if (!closed) {
            if (!final) return this.keep(start, line);
            fail(`${this.where}: line ${line}: a quoted field is not closed`);
          }
          while (i < n && blank(text.charCodeAt(i))) i++;
          const c = i < n ? text.charCodeAt(i) : -1;
          if (c !== -1 && c !== sep && c !== CR && c !== LF) {
            fail(`${this.where}: line ${line + lines}: unexpected characters after a closing quote`);
          }
          cell = value;
        } else {
          const from = i;
          while (i < n) {
            const c = text.charCodeAt(i);
            if (c === sep || c === CR || c === LF) break;
            i++;
          }
          let to = i;
          while (to > from && blank(text.charCodeAt(to - 1))) to--;
          cell = text.slice(from, to);
          if (to > from) empty = false;
        }
        cells.push(cell);
        if (i >= n) {
          if (!final) return this.keep(start, line);
          complete = true;
          break;
        }
        const c = text.charCodeAt(i);
        if (c === sep) { empty = false; i++; continue; }
        // a line break ends the record; "\r" at the chunk's end may be the first half of "\r\n"
        if (c === CR && i + 1 === n && !final) return this.keep(start, line);
        i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
        lines++;
        complete = true;
        break;
      }
      if (complete && !(empty && cells.length === 1)) this.onRecord(cells, line, this.consumed + start);
      line += lines;
      start = i;
      if (start >= n) { this.line = line; return n; }
    }
  }

  private keep(start: number, line: number): number {
    this.line = line;
    return start;
  }
}

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
