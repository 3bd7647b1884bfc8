-- What a change replaced, where followers need it and cannot read it back
-- afterwards: for an article that was published, the lists it stood in
-- before the change (so caches drop the pages it leaves, not only the
-- pages it joins).
ALTER TABLE changes ADD COLUMN detail TEXT;
