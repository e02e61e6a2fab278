-- Comment text in the style of TPC-H's (its grammar's vocabulary), cut at `len` characters
-- the way dbgen cuts its text pool. About 90 characters at most: longer comments concatenate
-- two calls with different streams. Built with || rather than concat_ws, which is only STABLE:
-- an IMMUTABLE function whose body is not immutable is not inlined, and costs 50 times more.
CREATE OR REPLACE FUNCTION pg_temp.words(key bigint, stream integer, len integer)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN rtrim(left(
    pg_temp.pick(key, stream * 16 + 0, ARRAY['furiously', 'quickly', 'carefully', 'blithely', 'slyly', 'fluffily', 'ironically', 'finally', 'regular', 'express', 'special', 'pending', 'final', 'bold', 'even', 'silent']) || ' ' ||
    pg_temp.pick(key, stream * 16 + 1, ARRAY['ironic', 'final', 'regular', 'express', 'special', 'pending', 'unusual', 'even', 'bold', 'silent', 'careful', 'quick', 'idle', 'close', 'busy', 'daring']) || ' ' ||
    pg_temp.pick(key, stream * 16 + 2, ARRAY['accounts', 'deposits', 'requests', 'packages', 'instructions', 'theodolites', 'pinto beans', 'foxes', 'ideas', 'dependencies', 'excuses', 'platelets', 'asymptotes', 'courts', 'dolphins', 'frets']) || ' ' ||
    pg_temp.pick(key, stream * 16 + 3, ARRAY['sleep', 'wake', 'are', 'haggle', 'nag', 'use', 'boost', 'affix', 'detect', 'integrate', 'cajole', 'believe', 'doze', 'engage', 'print', 'solve']) || ' ' ||
    pg_temp.pick(key, stream * 16 + 4, ARRAY['about', 'above', 'according to', 'across', 'after', 'against', 'along', 'among', 'around', 'at', 'beside', 'between', 'beyond', 'during', 'inside', 'over']) || ' ' ||
    'the ' ||
    pg_temp.pick(key, stream * 16 + 6, ARRAY['ironic', 'final', 'regular', 'express', 'special', 'pending', 'unusual', 'even', 'bold', 'silent', 'careful', 'quick', 'idle', 'close', 'busy', 'daring']) || ' ' ||
    pg_temp.pick(key, stream * 16 + 7, ARRAY['accounts', 'deposits', 'requests', 'packages', 'instructions', 'theodolites', 'pinto beans', 'foxes', 'ideas', 'dependencies', 'excuses', 'platelets', 'asymptotes', 'courts', 'dolphins', 'frets']) || ' ' ||
    pg_temp.pick(key, stream * 16 + 8, ARRAY['furiously', 'quickly', 'carefully', 'blithely', 'slyly', 'fluffily', 'ironically', 'finally', 'regular', 'express', 'special', 'pending', 'final', 'bold', 'even', 'silent']) || ' ' ||
    pg_temp.pick(key, stream * 16 + 9, ARRAY['sleep', 'wake', 'are', 'haggle', 'nag', 'use', 'boost', 'affix', 'detect', 'integrate', 'cajole', 'believe', 'doze', 'engage', 'print', 'solve']),
    len))
