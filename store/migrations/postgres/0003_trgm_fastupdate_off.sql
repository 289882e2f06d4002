-- With GIN's fast update, new workflows wait in an unsorted pending list
-- until the next vacuum, and every search scans that list: thousands of
-- fresh workflows made the search ten times slower. Workflows are created
-- one at a time by people, so writing index entries at once costs nothing.
ALTER INDEX workflows_name_trgm_idx SET (fastupdate = off);
ALTER INDEX workflows_remark_trgm_idx SET (fastupdate = off);
-- Move what is already pending into the index proper.
SELECT gin_clean_pending_list('workflows_name_trgm_idx'::regclass);
SELECT gin_clean_pending_list('workflows_remark_trgm_idx'::regclass);
