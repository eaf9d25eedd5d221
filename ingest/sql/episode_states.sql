-- A plain folder's episodes (DATA.md, "Bad input"): one episode recorded
-- twice in one file, one row ended and one open, is the ended row: the
-- later state of the same episode (a file holding two years' returns one
-- after the other). The open row is left out, with a warning.
CREATE OR REPLACE TEMP TABLE open_twice AS
SELECT e.child, e.decom, coalesce(e.la, '') AS la, e.la AS code
FROM episodes e
WHERE e.dec IS NULL AND EXISTS (
    SELECT 1 FROM episodes o
    WHERE coalesce(o.la, '') = coalesce(e.la, '') AND o.child = e.child AND o.decom = e.decom AND o.dec IS NOT NULL);

INSERT INTO load_warnings
SELECT 'episodes', 'episode_ended_and_open', 'one episode recorded twice in one file, ended and open (the ended row is used)',
       lac_warned_child(code, child), decom, (SELECT source FROM input_tables WHERE table_name = 'episodes')
FROM open_twice;

DELETE FROM episodes USING open_twice o
WHERE episodes.dec IS NULL AND coalesce(episodes.la, '') = o.la AND episodes.child = o.child AND episodes.decom = o.decom;

DROP TABLE open_twice;
