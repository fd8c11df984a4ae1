import { memo } from "react";
import type { Column } from "./columns";
import type { Sort } from "./sort";

interface HeaderProps {
  columns: readonly Column[];
  sort: Sort;
  onSort: (column: Column) => void;
}

/** The header row: sort buttons per column and the actions column. Memoised: frames of updates leave it alone. */
export const BlotterHeader = memo(function BlotterHeader({ columns, sort, onSort }: HeaderProps) {
  return (
    <thead>
      <tr>
        {columns.map((c) => {
          const active = sort.column === c.id;
          return (
            <th
              key={c.id}
              className={c.num ? "num sortable" : "sortable"}
              aria-sort={active ? (sort.dir === "asc" ? "ascending" : "descending") : "none"}
              data-column={c.id}
            >
              <button type="button" className="sort" onClick={() => onSort(c)} title={`Sort by ${c.label}`}>
                {c.label}
                <span className="sort-mark" aria-hidden="true">
                  {active ? (sort.dir === "asc" ? "▲" : "▼") : ""}
                </span>
              </button>
            </th>
          );
        })}
        <th className="actions">
          <span className="visually-hidden">Actions</span>
        </th>
      </tr>
    </thead>
  );
});
