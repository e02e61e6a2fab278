-- The parts, with TPC-H's name, type, container and price rules (TPC-H 4.2.3).
-- Random streams 500-599. Stored in key order, not sort key order (see part.sql).
INSERT INTO tpch.part (p_partkey, p_name, p_mfgr, p_brand, p_type, p_size, p_container, p_retailprice, p_comment)
SELECT
    p.key,
    concat_ws(' ',
        pg_temp.pick(p.key, 500, c.colors), pg_temp.pick(p.key, 501, c.colors), pg_temp.pick(p.key, 502, c.colors),
        pg_temp.pick(p.key, 503, c.colors), pg_temp.pick(p.key, 504, c.colors)),
    'Manufacturer#' || a.mfgr::text,
    'Brand#' || a.mfgr::text || pg_temp.rand(p.key, 506, 1, 5)::text,
    concat_ws(' ',
        pg_temp.pick(p.key, 507, ARRAY['STANDARD', 'SMALL', 'MEDIUM', 'LARGE', 'ECONOMY', 'PROMO']),
        pg_temp.pick(p.key, 508, ARRAY['ANODIZED', 'BURNISHED', 'PLATED', 'POLISHED', 'BRUSHED']),
        pg_temp.pick(p.key, 509, ARRAY['TIN', 'NICKEL', 'BRASS', 'STEEL', 'COPPER'])),
    pg_temp.rand(p.key, 510, 1, 50)::integer,
    pg_temp.pick(p.key, 511, ARRAY['SM', 'LG', 'MED', 'JUMBO', 'WRAP']) || ' '
        || pg_temp.pick(p.key, 512, ARRAY['CASE', 'BOX', 'BAG', 'JAR', 'PKG', 'PACK', 'CAN', 'DRUM']),
    -- TPC-H's retail price formula: a function of the key alone, between 900 and 2099.
    (90000 + mod(p.key / 10, 20001) + 100 * mod(p.key, 1000)) / 100.0,
    pg_temp.words(p.key, 513, pg_temp.rand(p.key, 514, 5, 22)::integer)
FROM generate_series(1, %(parts)s) AS p (key)
CROSS JOIN LATERAL (SELECT pg_temp.rand(p.key, 505, 1, 5) AS mfgr) AS a
CROSS JOIN (
    SELECT ARRAY['almond', 'antique', 'aquamarine', 'azure', 'beige', 'bisque', 'black', 'blanched',
                 'blue', 'blush', 'brown', 'burlywood', 'burnished', 'chartreuse', 'chiffon', 'chocolate',
                 'coral', 'cornflower', 'cornsilk', 'cream', 'cyan', 'dark', 'deep', 'dim', 'dodger',
                 'drab', 'firebrick', 'floral', 'forest', 'frosted', 'gainsboro', 'ghost', 'goldenrod',
                 'green', 'grey', 'honeydew', 'hot', 'indian', 'ivory', 'khaki', 'lace', 'lavender',
                 'lawn', 'lemon', 'light', 'lime', 'linen', 'magenta', 'maroon', 'medium', 'metallic',
                 'midnight', 'mint', 'misty', 'moccasin', 'navajo', 'navy', 'olive', 'orange', 'orchid',
                 'pale', 'papaya', 'peach', 'peru', 'pink', 'plum', 'powder', 'puff', 'purple', 'red',
                 'rose', 'rosy', 'royal', 'saddle', 'salmon', 'sandy', 'seashell', 'sienna', 'sky',
                 'slate', 'smoke', 'snow', 'spring', 'steel', 'tan', 'thistle', 'tomato', 'turquoise',
                 'violet', 'wheat', 'white', 'yellow'] AS colors
) AS c
ORDER BY p.key
