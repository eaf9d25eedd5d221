-- A folder of returns (DATA.md): every TABLE_all holds the rows of every
-- return with their source and collection year, and `used` marks the rows
-- of the newest return that has their natural key (set in Go, per table).
-- The episodes' own rules follow; the tables are then rebuilt from the
-- used rows. Warnings go to load_warnings, which the consistency checks
-- move into dq_warnings.

-- One episode twice in one return, one row ended and one open: the ended
-- row is the later state of the same episode (a file that holds two
-- returns, or an export that appended a newer state).
CREATE OR REPLACE TEMP TABLE open_twice AS
SELECT e.source, e.collection_year, e.la, e.child, e.decom, e.row_no, e.return_year
FROM episodes_all e
WHERE e.used AND e.dec IS NULL AND EXISTS (
    SELECT 1 FROM episodes_all o
    WHERE o.used AND o.return_year = e.return_year AND coalesce(o.la, '') = coalesce(e.la, '')
      AND o.child = e.child AND o.decom = e.decom AND o.dec IS NOT NULL);

INSERT INTO load_warnings
SELECT 'episodes', 'episode_ended_and_open', 'one episode recorded twice in one file, ended and open (the ended row is used)',
       lac_warned_child(la, child), decom, source || ' (collection year ' || collection_year || ')'
FROM open_twice;

UPDATE episodes_all SET used = false, why_not = 'the same episode has an ended row in the same file'
FROM open_twice o
WHERE episodes_all.return_year = o.return_year AND episodes_all.row_no = o.row_no;

-- An episode left open in an older return that no newer return carries,
-- while a newer return has the child: every episode open on 1 April must
-- be in that year's return, so one of the two returns is wrong. The newer
-- return's account stands (newest first), and the episode is not used as
-- an open episode for ever.
CREATE OR REPLACE TEMP TABLE return_children AS
SELECT DISTINCT coalesce(la, '') AS la, child, return_year, collection_year FROM header_all
UNION
SELECT DISTINCT coalesce(la, '') AS la, child, return_year, collection_year FROM episodes_all;

CREATE OR REPLACE TEMP TABLE open_not_carried AS
SELECT e.source, e.collection_year, e.la, e.child, e.decom, e.row_no, e.return_year,
       (SELECT max(n.collection_year) FROM return_children n
        WHERE n.la = coalesce(e.la, '') AND n.child = e.child AND n.return_year > e.return_year) AS newer
FROM episodes_all e
WHERE e.used AND e.dec IS NULL AND EXISTS (
    SELECT 1 FROM return_children n
    WHERE n.la = coalesce(e.la, '') AND n.child = e.child AND n.return_year > e.return_year);

INSERT INTO load_warnings
SELECT 'episodes', 'open_episode_not_carried',
       'an episode open in an older return is missing from a newer return that has the child (not used: the newer return stands)',
       lac_warned_child(la, child), decom, source || ' (collection year ' || collection_year || '); the child is in the ' || newer || ' return'
FROM open_not_carried;

UPDATE episodes_all SET used = false, why_not = 'open here, and missing from the ' || o.newer || ' return, which has the child'
FROM open_not_carried o
WHERE episodes_all.return_year = o.return_year AND episodes_all.row_no = o.row_no;

-- An episode an older return ended that a newer return has open: the
-- newer return's row is used (newest first), but one of the two is wrong.
INSERT INTO load_warnings
SELECT 'episodes', 'ended_episode_open_again',
       'an episode ended in an older return is open in a newer one (the newer row is used: check both)',
       lac_warned_child(n.la, n.child), n.decom, n.source || ' (collection year ' || n.collection_year || '); ended in ' || min(o.source)
FROM episodes_all n JOIN episodes_all o
  ON coalesce(o.la, '') = coalesce(n.la, '') AND o.child = n.child AND o.decom = n.decom
 AND o.return_year < n.return_year AND o.dec IS NOT NULL
WHERE n.used AND n.dec IS NULL
GROUP BY n.la, n.child, n.decom, n.source, n.collection_year;

DROP TABLE open_twice;
DROP TABLE open_not_carried;
DROP TABLE return_children;
