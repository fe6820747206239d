/**
 * The admin console's catalogue section (issue 13): every table of the catalogue — the
 * hall's settings, zones, departments, matters and their materials, ticket series, counters
 * and their work profiles, the calendar, synonyms, sites — edited in the page, and the whole
 * catalogue exported and imported as XLSX or CSV with a dry run first.
 *
 * The tables, their columns and how a cell reads are the hub's own (server/src/catalogue/
 * sheets.ts): the page edits the very rows the import reads. Edits collect on the page and
 * go to the hall in one `PUT /api/catalogue` carrying the version they were made on
 * (If-Match): when another admin saved in between, the hub answers CATALOGUE_CONFLICT and
 * the page reloads rather than overwrite their change. The catalogue follows other admins'
 * saves live (`catalogue:updated`).
 */
import { useCallback, useEffect, useMemo, useState } from "preact/hooks";
import type { ImportReport } from "../server/src/catalogue/import.ts";
import {
  type Column,
  catalogueTables,
  diffTables,
  formatCell,
  HALL_FIELDS,
  parseCell,
  type Reason,
  type Row,
  rowKey,
  TABLES,
  type TableDiff,
  type TableKey,
  type Tables,
  tableDef,
  tablesCatalogue,
} from "../server/src/catalogue/sheets.ts";
import type { Catalogue } from "../server/src/contract/catalogue.ts";
import type { Api } from "../ui-shared/api.ts";
import { downloadFile } from "../ui-shared/download.ts";
import { type Lang, translator } from "../ui-shared/i18n.ts";
import { useHallSocket } from "../ui-shared/socket.ts";
import { CATALOGUE_MSG } from "./catalogue-messages.ts";
import "./catalogue.css";

type T = ReturnType<typeof translator<typeof CATALOGUE_MSG>>;
const PAGE = 50;

interface Props {
  lang: Lang;
  api: Api;
  token: () => string | null;
  onError: (e: unknown) => void;
  /** The console's own copy of the catalogue (staff counters, profiles) is refreshed. */
  onSaved: () => void;
}

/** A file's bytes as base64, for the import's JSON body. */
async function base64(f: File): Promise<string> {
  const bytes = new Uint8Array(await f.arrayBuffer());
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function CatalogueSection(props: Props) {
  const { lang, api } = props;
  const t = translator(CATALOGUE_MSG, lang);
  const [cat, setCat] = useState<Catalogue | null>(null);
  /** Unsaved edits: the tables as edited, and the version they were made on. */
  const [working, setWorking] = useState<{ tables: Tables; version: string } | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const reload = useCallback(() => {
    api.hall().then(setCat, props.onError);
  }, [api]);
  useEffect(reload, [reload]);
  useHallSocket([{ view: "hall" }], {
    token: props.token(),
    handlers: { "catalogue:updated": (c: Catalogue) => setCat(c) },
  });
  const base = useMemo(() => (cat ? catalogueTables(cat) : null), [cat]);
  if (!cat || !base) return null;
  const tables = working?.tables ?? base;
  const edit = (next: Tables) => {
    setSaved(null);
    setWorking({ tables: next, version: working?.version ?? cat.version ?? "" });
  };
  const pending = working ? diffTables(base, working.tables) : [];
  const assembled = working ? tablesCatalogue(working.tables) : null;
  const save = async () => {
    if (!working || !assembled) return;
    try {
      const served = await api.request<Catalogue>("PUT", "/api/catalogue", assembled.catalogue, {
        "if-match": `"${working.version}"`,
      });
      setCat(served);
      setWorking(null);
      setSaved(t("saved"));
      props.onSaved();
    } catch (e) {
      // A conflict (or any refusal) leaves the hall as it was: show it, and the catalogue as it is now.
      if ((e as { code?: string }).code === "CATALOGUE_CONFLICT") {
        setWorking(null);
        reload();
      }
      props.onError(e);
    }
  };
  return (
    <section class="ad-card ca-section" aria-labelledby="cat-h">
      <h2 id="cat-h">{t("tabCatalogue")}</h2>
      <p class="ad-note">{t("liveNote")}</p>
      <ImportPanel {...props} t={t} onApplied={(c) => (setCat(c), setWorking(null), props.onSaved())} />
      {working && (
        <div class="ca-pending" role="status" data-testid="pending">
          <strong>
            {t("pending", { n: pending.reduce((s, d) => s + d.added.length + d.changed.length + d.removed.length, 0) })}
          </strong>
          <DiffList t={t} lang={lang} diff={pending} />
          {assembled && assembled.problems.length > 0 && (
            <p class="ad-bad" data-testid="pending-problems">
              {t("notValid")}{" "}
              {assembled.problems
                .slice(0, 3)
                .map((p) => `${tableDef(p.table)[lang]}: ${p.reason[lang]}`)
                .join("；")}
            </p>
          )}
          <button
            type="button"
            class="primary"
            data-testid="save-catalogue"
            disabled={!assembled || assembled.problems.length > 0 || pending.length === 0}
            onClick={() => void save()}
          >
            {t("saveAll")}
          </button>
          <button type="button" onClick={() => setWorking(null)}>
            {t("discard")}
          </button>
        </div>
      )}
      {saved && (
        <p role="status" class="ad-ok" data-testid="catalogue-saved">
          {saved}
        </p>
      )}
      <TableEditor {...props} t={t} tables={tables} onChange={edit} />
    </section>
  );
}

// ---- import / export ----

function ImportPanel(props: Props & { t: T; onApplied: (c: Catalogue) => void }) {
  const { t, lang, api } = props;
  const [files, setFiles] = useState<File[]>([]);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [busy, setBusy] = useState(false);
  const [applied, setApplied] = useState(false);
  const [csvTable, setCsvTable] = useState<TableKey>("matters");
  const body = async () => ({ files: await Promise.all(files.map(async (f) => ({ name: f.name, base64: await base64(f) }))) });
  const run = async (f: () => Promise<void>) => {
    setBusy(true);
    try {
      await f();
    } catch (e) {
      props.onError(e);
    } finally {
      setBusy(false);
    }
  };
  const changes = report ? report.diff.reduce((s, d) => s + d.added.length + d.changed.length + d.removed.length, 0) : 0;
  return (
    <section class="ca-import" aria-labelledby="import-h">
      <h3 id="import-h">{t("importExport")}</h3>
      <div class="ad-form ca-row">
        <button
          type="button"
          data-testid="export-catalogue-xlsx"
          onClick={() =>
            void downloadFile(`/api/catalogue/export.xlsx?lang=${lang}`, props.token(), "catalogue.xlsx").catch(props.onError)
          }
        >
          {t("exportXlsx")}
        </button>
        <select
          aria-label={t("sheet")}
          value={csvTable}
          onChange={(e) => setCsvTable((e.target as HTMLSelectElement).value as TableKey)}
        >
          {TABLES.map((d) => (
            <option key={d.key} value={d.key}>
              {d[lang]}
            </option>
          ))}
        </select>
        <button
          type="button"
          data-testid="export-catalogue-csv"
          onClick={() =>
            void downloadFile(`/api/catalogue/export.csv?table=${csvTable}&lang=${lang}`, props.token(), `${csvTable}.csv`).catch(
              props.onError,
            )
          }
        >
          {t("exportCsv")}
        </button>
      </div>
      <form
        class="ad-form ca-row"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            setApplied(false);
            setReport(await api.request<ImportReport>("POST", "/api/catalogue/import/dry-run", await body()));
          });
        }}
      >
        <label>
          {t("files")}
          <input
            type="file"
            name="catalogue-files"
            multiple
            accept=".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"
            onChange={(e) => {
              setFiles([...((e.target as HTMLInputElement).files ?? [])]);
              setReport(null);
              setApplied(false);
            }}
          />
        </label>
        <button type="submit" class="primary" data-testid="dry-run" disabled={busy || files.length === 0}>
          {t("dryRun")}
        </button>
      </form>
      {applied && (
        <p role="status" class="ad-ok" data-testid="import-applied">
          {t("applied")}
        </p>
      )}
      {report && !applied && (
        <div class="ca-report" data-testid="import-report">
          <h4>{t("dryRunTitle")}</h4>
          {report.problems.length > 0 ? (
            <p class="ad-bad" data-testid="problem-count">
              {t("problems", { n: report.problems.length })}
            </p>
          ) : (
            <p class="ad-ok">{t("noProblems")}</p>
          )}
          {report.problems.length > 0 && (
            <table class="ad-table" data-testid="import-problems">
              <thead>
                <tr>
                  <th scope="col">{t("sheet")}</th>
                  <th scope="col">{t("row")}</th>
                  <th scope="col">{t("column")}</th>
                  <th scope="col">{t("reason")}</th>
                </tr>
              </thead>
              <tbody>
                {report.problems.slice(0, 200).map((p, i) => (
                  <tr key={i} data-testid="problem">
                    <td>{p.sheet}</td>
                    <td>{p.row ?? ""}</td>
                    <td>{p.column ? columnName(p.table, p.column, lang) : ""}</td>
                    <td>{p.reason[lang]}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {report.ignored.length > 0 && <p class="ad-note">{t("ignored", { list: report.ignored.join("、") })}</p>}
          {changes === 0 && report.problems.length === 0 ? (
            <p>{t("noChanges")}</p>
          ) : (
            <DiffList t={t} lang={lang} diff={report.diff} />
          )}
          <button
            type="button"
            class="primary"
            data-testid="apply-import"
            disabled={busy || report.problems.length > 0 || changes === 0}
            onClick={() =>
              void run(async () => {
                await api.request("POST", "/api/catalogue/import", { ...(await body()), version: report.version });
                setApplied(true);
                setReport(null);
                props.onApplied(await api.hall());
              })
            }
          >
            {t("apply")}
          </button>
        </div>
      )}
    </section>
  );
}

function columnName(table: TableKey | undefined, key: string, lang: Lang): string {
  const c = table ? tableDef(table).columns.find((x) => x.key === key) : undefined;
  return c ? c[lang] : key;
}

/** Counts per table, then the first changes of each, field by field. */
function DiffList(props: { t: T; lang: Lang; diff: TableDiff[] }) {
  const { t, lang } = props;
  if (props.diff.length === 0) return null;
  return (
    <div class="ca-diff">
      <table class="ad-table ca-counts" data-testid="diff-counts">
        <thead>
          <tr>
            <th scope="col">{t("sheet")}</th>
            <th scope="col">{t("added")}</th>
            <th scope="col">{t("changed")}</th>
            <th scope="col">{t("removed")}</th>
          </tr>
        </thead>
        <tbody>
          {props.diff.map((d) => (
            <tr key={d.table} data-testid={`count-${d.table}`}>
              <th scope="row">{tableDef(d.table)[lang]}</th>
              <td data-testid={`added-${d.table}`}>{d.added.length}</td>
              <td data-testid={`changed-${d.table}`}>{d.changed.length}</td>
              <td data-testid={`removed-${d.table}`}>{d.removed.length}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <details>
        <summary>{t("details")}</summary>
        <ul class="ca-changes">
          {props.diff.flatMap((d) => {
            const name = tableDef(d.table)[lang];
            const lines = [
              ...d.added.map((k) => `${name} ${k}: ${t("added")}`),
              ...d.removed.map((k) => `${name} ${k}: ${t("removed")}`),
              ...d.changed.map(
                (c) =>
                  `${name} ${c.key}: ${c.fields.map((f) => `${columnName(d.table, f.column, lang)} ${f.before || "—"} → ${f.after || "—"}`).join("，")}`,
              ),
            ];
            const shown = lines.slice(0, 30).map((l) => <li key={l}>{l}</li>);
            if (lines.length > 30) shown.push(<li key={`${d.table}-more`}>{t("more", { n: lines.length - 30 })}</li>);
            return shown;
          })}
        </ul>
      </details>
    </div>
  );
}

// ---- table editing ----

function TableEditor(props: Props & { t: T; tables: Tables; onChange: (t: Tables) => void }) {
  const { t, lang, tables } = props;
  const [table, setTable] = useState<TableKey>("matters");
  const [filter, setFilter] = useState("");
  const [page, setPage] = useState(0);
  /** The row being edited: its index, or -1 for a new row. */
  const [editing, setEditing] = useState<number | null>(null);
  const def = tableDef(table);
  const rows = tables[table];
  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase();
    const all = rows.map((r, i) => ({ r, i }));
    if (!f) return all;
    return all.filter(({ r }) =>
      def.columns.some((c) =>
        String(formatCell(r[c.key], c, lang))
          .toLowerCase()
          .includes(f),
      ),
    );
  }, [rows, filter, table, lang]);
  const pages = Math.max(1, Math.ceil(shown.length / PAGE));
  const at = Math.min(page, pages - 1);
  const replace = (index: number | null, row: Row | null) => {
    const next: Tables = { ...tables, [table]: [...rows] };
    const list = next[table];
    if (index === null || index < 0) {
      if (row) list.push(row);
    } else if (row) list[index] = row;
    else {
      const [gone] = list.splice(index, 1);
      // A matter's materials and a counter's profile go with it.
      if (table === "matters") next.materials = tables.materials.filter((m) => m.matterId !== gone?.id);
      if (table === "counters") next.profiles = tables.profiles.filter((p) => p.counterId !== gone?.id);
    }
    props.onChange(next);
    setEditing(null);
  };
  return (
    <div class="ca-tables">
      <nav class="ca-tabs" aria-label={t("sheet")}>
        {TABLES.map((d) => (
          <button
            key={d.key}
            type="button"
            class={d.key === table ? "on" : ""}
            aria-current={d.key === table ? "page" : undefined}
            data-testid={`table-${d.key}`}
            onClick={() => {
              setTable(d.key);
              setPage(0);
              setFilter("");
              setEditing(null);
            }}
          >
            {d[lang]} <span class="ca-n">{tables[d.key].length}</span>
          </button>
        ))}
      </nav>
      <div class="ad-form ca-row">
        <label>
          {t("filter")}
          <input
            type="search"
            name="catalogue-filter"
            value={filter}
            onInput={(e) => {
              setFilter((e.target as HTMLInputElement).value);
              setPage(0);
            }}
          />
        </label>
        <span>{t("rows", { n: shown.length })}</span>
        {table !== "hall" && (
          <button type="button" data-testid="add-row" onClick={() => setEditing(-1)}>
            {t("addRow")}
          </button>
        )}
      </div>
      {editing !== null && (
        <RowForm
          key={`${table}-${editing}`}
          t={t}
          lang={lang}
          table={table}
          tables={tables}
          row={editing >= 0 ? (rows[editing] as Row) : {}}
          onCancel={() => setEditing(null)}
          onSave={(r) => replace(editing, r)}
        />
      )}
      <div class="ca-scroll">
        <table class="ad-table ca-grid" data-testid={`grid-${table}`}>
          <thead>
            <tr>
              {def.columns.map((c) => (
                <th key={c.key} scope="col">
                  {c[lang]}
                </th>
              ))}
              <th scope="col">{t("actions")}</th>
            </tr>
          </thead>
          <tbody>
            {shown.slice(at * PAGE, at * PAGE + PAGE).map(({ r, i }) => (
              <tr key={rowKey(table, r)} data-testid={`row-${table}-${rowKey(table, r)}`}>
                {def.columns.map((c) => (
                  <td key={c.key}>
                    {table === "hall" && c.key === "label"
                      ? (HALL_FIELDS.find((f) => f.key === r.field)?.[lang] ?? "")
                      : String(formatCell(r[c.key], c, lang))}
                  </td>
                ))}
                <td class="ad-actions">
                  <button type="button" onClick={() => setEditing(i)} data-testid={`edit-${table}-${rowKey(table, r)}`}>
                    {t("edit")}
                  </button>
                  {table !== "hall" && (
                    <button type="button" onClick={() => replace(i, null)} data-testid={`remove-${table}-${rowKey(table, r)}`}>
                      {t("remove")}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {pages > 1 && (
        <div class="ca-row">
          <button type="button" disabled={at === 0} onClick={() => setPage(at - 1)}>
            {t("prev")}
          </button>
          <span>{t("page", { p: at + 1, n: pages })}</span>
          <button type="button" disabled={at >= pages - 1} onClick={() => setPage(at + 1)}>
            {t("next")}
          </button>
        </div>
      )}
    </div>
  );
}

/** The choices of a column naming another table's rows: "id 名称". */
function refOptions(tables: Tables, c: Column, lang: Lang): { value: string; label: string }[] {
  if (!c.ref) return [];
  const key = tableDef(c.ref).identity[0] as string;
  return tables[c.ref].map((r) => {
    const name = lang === "en" ? (r.nameEn ?? r.name) : r.name;
    return { value: String(r[key]), label: name ? `${String(r[key])} ${String(name)}` : String(r[key]) };
  });
}

function RowForm(props: {
  t: T;
  lang: Lang;
  table: TableKey;
  tables: Tables;
  row: Row;
  onCancel: () => void;
  onSave: (r: Row) => void;
}) {
  const { t, lang, table } = props;
  const def = tableDef(table);
  // The hall's settings: the value is what an admin edits; the setting's name is fixed.
  const editable = (c: Column) => !(table === "hall" && (c.key === "field" || c.key === "label"));
  const [text, setText] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      def.columns.map((c) => {
        const v = c.type === "bool" ? "" : String(formatCell(props.row[c.key], c, lang));
        // A list starts on its first choice, as the browser shows it.
        const first =
          c.type === "enum"
            ? c.options?.[0]
            : c.type === "id" && !c.optional
              ? refOptions(props.tables, c, lang)[0]?.value
              : undefined;
        return [c.key, v === "" && first !== undefined ? first : v];
      }),
    ),
  );
  const [flags, setFlags] = useState<Record<string, boolean>>(() =>
    Object.fromEntries(
      def.columns
        .filter((c) => c.type === "bool")
        .map((c) => [c.key, props.row[c.key] === true || (props.row[c.key] === undefined && c.empty === true)]),
    ),
  );
  const [reasons, setReasons] = useState<Record<string, Reason>>({});
  const hallField = table === "hall" ? HALL_FIELDS.find((f) => f.key === props.row.field) : undefined;
  return (
    <form
      class="ad-form ca-form"
      aria-labelledby="row-h"
      data-testid="row-form"
      onSubmit={(e) => {
        e.preventDefault();
        const row: Row = {};
        const bad: Record<string, Reason> = {};
        for (const c of def.columns) {
          if (c.type === "bool") {
            row[c.key] = flags[c.key] ?? false;
            continue;
          }
          const r = parseCell(text[c.key], c);
          if (r.reason) bad[c.key] = r.reason;
          else if (r.value !== undefined) row[c.key] = r.value;
        }
        // A hall setting is checked as its own type (a number stays a number).
        if (hallField) {
          const r = parseCell(text.value, hallField);
          if (r.reason) bad.value = r.reason;
        }
        setReasons(bad);
        if (Object.keys(bad).length === 0) props.onSave(row);
      }}
    >
      <h3 id="row-h">{t("editRow", { table: def[lang] })}</h3>
      {def.columns.map((c) => {
        const options = refOptions(props.tables, c, lang);
        const name = `cell-${c.key}`;
        const label = table === "hall" && c.key === "value" && hallField ? hallField[lang] : c[lang];
        const error = reasons[c.key] && (
          <span class="ad-bad" role="alert">
            {reasons[c.key]?.[lang]}
          </span>
        );
        if (c.type === "bool")
          return (
            <label key={c.key} class="ad-check">
              <input
                type="checkbox"
                name={name}
                checked={flags[c.key] ?? false}
                onChange={(e) => setFlags({ ...flags, [c.key]: (e.target as HTMLInputElement).checked })}
              />
              {label}
              {error}
            </label>
          );
        if (c.type === "enum" || (options.length > 0 && c.type === "id"))
          return (
            <label key={c.key}>
              {label}
              <select
                name={name}
                value={text[c.key]}
                onChange={(e) => setText({ ...text, [c.key]: (e.target as HTMLSelectElement).value })}
              >
                {c.optional && <option value="" />}
                {(c.type === "enum" ? (c.options ?? []).map((o) => ({ value: o, label: o })) : options).map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
              {error}
            </label>
          );
        return (
          <label key={c.key}>
            {label}
            <input
              name={name}
              type={c.type === "int" || c.type === "number" ? "number" : "text"}
              step={c.type === "number" ? "any" : undefined}
              value={text[c.key]}
              readOnly={!editable(c)}
              placeholder={c.type === "hours" ? t("hoursHint") : c.type === "list" ? t("listHint") : undefined}
              onInput={(e) => setText({ ...text, [c.key]: (e.target as HTMLInputElement).value })}
            />
            {error}
          </label>
        );
      })}
      <button type="submit" class="primary" data-testid="row-ok">
        {t("ok")}
      </button>
      <button type="button" onClick={props.onCancel}>
        {t("cancel")}
      </button>
    </form>
  );
}
