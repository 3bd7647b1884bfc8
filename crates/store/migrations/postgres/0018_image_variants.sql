-- WebP and AVIF copies of each uploaded image, made in the background after
-- the upload: '' waits for them, 'making:<unix seconds>' is being made by an
-- instance (taken again when older than ten minutes), 'made' has them,
-- 'none' has none to make (not a picture bbn stores) and 'failed' could not
-- be made.
ALTER TABLE media ADD COLUMN variants TEXT NOT NULL DEFAULT '';
CREATE INDEX media_variants_waiting ON media (id) WHERE variants <> 'made' AND variants <> 'none' AND variants <> 'failed';
