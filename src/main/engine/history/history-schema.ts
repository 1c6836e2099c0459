/**
 * The history's one table, as the journal writes it and the segments keep it. Every place
 * that names a column reads it from here: the journal line, the journal's `read_json`
 * column types, the segments' `SELECT`, the rows read back. The schema is documented for
 * operators in docs/history.md (they may open the files with DuckDB or any Parquet reader).
 */

/** The columns in their order, with their DuckDB types. */
export const HISTORY_COLUMNS = [
  ['arrival', 'BIGINT'],
  ['hub', 'VARCHAR'],
  ['dialect', 'VARCHAR'],
  ['seq', 'BIGINT'],
  ['received_at', 'DOUBLE'],
  ['time', 'DOUBLE'],
  ['event', 'VARCHAR'],
  ['id', 'VARCHAR'],
  ['level', 'VARCHAR'],
  ['source', 'VARCHAR'],
  ['entity_type', 'VARCHAR'],
  ['entity_id', 'VARCHAR'],
  ['message', 'VARCHAR'],
  ['malformed', 'BOOLEAN'],
  ['gap', 'BOOLEAN'],
  ['data', 'JSON'],
  ['replay_fp', 'DOUBLE'],
] as const;

export type HistoryColumn = (typeof HISTORY_COLUMNS)[number][0];

/** SQL string literal. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** The `columns={…}` argument of `read_json` for journal files. */
export const JOURNAL_COLUMNS_SQL = `{${HISTORY_COLUMNS.map(([name, type]) => `${sqlString(name)}: ${sqlString(type)}`).join(', ')}}`;

/** `read_json` over journal files; a line being written (cut short) is skipped by readers. */
export function journalRelation(files: readonly string[], tolerant: boolean): string {
  const list = `[${files.map(sqlString).join(', ')}]`;
  return (
    `read_json(${list}, format = 'newline_delimited', columns = ${JOURNAL_COLUMNS_SQL}` +
    `, maximum_object_size = 67108864${tolerant ? ', ignore_errors = true' : ''})`
  );
}

/** `read_parquet` over segment files, columns by name (later versions may add columns). */
export function segmentRelation(files: readonly string[]): string {
  return `read_parquet([${files.map(sqlString).join(', ')}], union_by_name = true)`;
}

/** Every column, for a `SELECT`. */
export const ALL_COLUMNS_SQL = HISTORY_COLUMNS.map(([name]) => name).join(', ');

/**
 * The columns as read back into JS: big integers as doubles (exact below 2^53, which seq
 * and arrival never reach), the payload as its JSON text.
 */
export const READ_COLUMNS_SQL = HISTORY_COLUMNS.map(([name, type]) =>
  type === 'BIGINT' ? `${name}::DOUBLE AS ${name}` : type === 'JSON' ? `${name}::VARCHAR AS ${name}` : name,
).join(', ');

/** Parquet settings of every segment: zstd (smallest, and faster to write here than snappy). */
export const SEGMENT_COPY_OPTIONS = 'FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880';
