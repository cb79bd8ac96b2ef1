# tools/store-rename.sed: issue 18's rename of the SQLite calls in the
# domain code to the backend-neutral store interface (engine/store.h).
# Apply to a branch that still calls sqlite3_* on store_stmt()'s
# statements, then `make fmt`:
#   sh tools/store-rename.sh        (or, for chosen files:)
#   sed -i -f tools/store-rename.sed FILE.c ...
# Left for a hand fix (the build says where): sqlite3_last_insert_rowid
# (write the INSERT as "... RETURNING id" and use store_step_id), and any
# other sqlite3_ name or store_db( outside tests.
s/\bsqlite3_stmt\b/struct store_stmt/g
s/\bsqlite3_bind_int64\b/store_bind_int64/g
s/\bsqlite3_bind_int\b/store_bind_int/g
s/\bsqlite3_bind_text\b/store_bind_text/g
s/\bsqlite3_bind_blob\b/store_bind_blob/g
s/\bsqlite3_bind_null\b/store_bind_null/g
s/\bsqlite3_step\b/store_step/g
s/\bsqlite3_column_int64\b/store_col_int64/g
s/\bsqlite3_column_int\b/store_col_int/g
s/\bsqlite3_column_text\b/store_col_text/g
s/\bsqlite3_reset\b/store_reset/g
s/\bsqlite3_column_type(\([^()]*\)) == SQLITE_NULL/store_col_null(\1)/g
s/\bsqlite3_column_type(\([^()]*\)) != SQLITE_NULL/!store_col_null(\1)/g
s/\bsqlite3_column_type(\([^()]*\)) == SQLITE_TEXT/!store_col_null(\1)/g
s/\bsqlite3_changes(store_db(\([^()]*\)))/store_changes(\1)/g
s/\bSQLITE_ROW\b/STORE_ROW/g
s/\bSQLITE_DONE\b/STORE_DONE/g
s/\bSQLITE_STATIC\b/STORE_STATIC/g
s/\bSQLITE_TRANSIENT\b/STORE_TRANSIENT/g
s/\bSQLITE_NOMEM\b/STORE_NOMEM/g
s/\bsqlite3_int64\b/int64_t/g
