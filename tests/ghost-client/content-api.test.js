// The official @tryghost/content-api client against a live bbn serving the
// demo site. Every client method is called and its result checked against
// what the demo holds. BBN_URL (no trailing slash) and BBN_KEY (a content
// key) say where; crates/bbn/tests/ghost_client.rs starts bbn and runs this.

import {test} from 'node:test';
import assert from 'node:assert/strict';
import GhostContentAPI from '@tryghost/content-api';

const url = process.env.BBN_URL;
const key = process.env.BBN_KEY;
if (!url || !key) {
    throw new Error('set BBN_URL and BBN_KEY');
}

const api = new GhostContentAPI({url, key, version: 'v5.0'});

// Facts of the demo site (crates/bbn/demo).
const DEMO_POSTS = 36;
const PICKED = 'foreign-ministers-meet-in-pyongyang';
const PICKED_AUTHOR = 'gabriel-martinez';
const PICKED_TAGS = ['diplomatic-relations', 'national-security'];

const isObjectId = id => /^[0-9a-f]{24}$/.test(id);

async function everyPost() {
    const posts = await api.posts.browse({limit: 'all', include: ['tags', 'authors']});
    assert.equal(posts.length, DEMO_POSTS);
    return posts;
}

test('settings.browse gives the site and its navigation', async () => {
    const s = await api.settings.browse();
    assert.equal(s.title, 'Big Big News');
    assert.equal(s.url, `${url}/`);
    assert.equal(s.timezone, 'America/New_York');
    const labels = s.navigation.map(n => n.label);
    assert.ok(labels.includes('Politics') && labels.includes('World'), labels.join());
    for (const n of s.navigation) {
        assert.ok(n.url.startsWith(`${url}/section/`), n.url);
    }
    assert.deepEqual(s.secondary_navigation, []);
});

test('posts.browse pages through every published article', async () => {
    const first = await api.posts.browse({limit: 10});
    assert.equal(first.length, 10);
    assert.deepEqual(first.meta.pagination, {page: 1, limit: 10, pages: 4, total: DEMO_POSTS, next: 2, prev: null});
    const second = await api.posts.browse({limit: 10, page: 2});
    assert.deepEqual(second.meta.pagination, {page: 2, limit: 10, pages: 4, total: DEMO_POSTS, next: 3, prev: 1});
    const seen = new Set(first.map(p => p.id));
    for (const p of second) {
        assert.ok(!seen.has(p.id), 'pages do not overlap');
    }
    const last = await api.posts.browse({limit: 10, page: 4});
    assert.equal(last.length, DEMO_POSTS - 30);
    assert.equal(last.meta.pagination.next, null);
    const defaults = await api.posts.browse();
    assert.equal(defaults.length, 15, 'Ghost\'s default page size');

    const all = await everyPost();
    for (const p of all) {
        assert.ok(isObjectId(p.id), p.id);
        assert.equal(p.url, `${url}/news/${p.slug}`);
        assert.equal(typeof p.html, 'string');
        assert.equal(p.visibility, 'public');
        assert.ok(!Number.isNaN(Date.parse(p.published_at)), p.published_at);
        assert.equal(p.primary_author.slug, p.authors[0].slug);
    }
    const times = all.map(p => Date.parse(p.published_at));
    assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first by default');
});

test('posts.browse filters by tag, author, featured and date, with + and ,', async () => {
    const all = await everyPost();
    const byTag = await api.posts.browse({filter: `tag:${PICKED_TAGS[0]}`, include: 'tags', limit: 'all'});
    assert.ok(byTag.length > 0);
    assert.equal(byTag.length, all.filter(p => p.tags.some(t => t.slug === PICKED_TAGS[0])).length);

    const both = await api.posts.browse({filter: `author:${PICKED_AUTHOR}+tag:${PICKED_TAGS[1]}`, limit: 'all'});
    assert.ok(both.some(p => p.slug === PICKED));
    assert.equal(both.length, all.filter(p => p.authors.some(a => a.slug === PICKED_AUTHOR)
        && p.tags.some(t => t.slug === PICKED_TAGS[1])).length);

    const either = await api.posts.browse({filter: `tag:${PICKED_TAGS[0]},tag:${PICKED_TAGS[1]}`, limit: 'all'});
    assert.equal(either.length, all.filter(p => p.tags.some(t => PICKED_TAGS.includes(t.slug))).length);

    const featured = await api.posts.browse({filter: 'featured:true', limit: 'all'});
    assert.ok(featured.length > 0 && featured.every(p => p.featured === true));
    assert.ok(featured.some(p => p.slug === PICKED));
    assert.equal(featured.length, all.filter(p => p.featured).length);

    const cut = all[5].published_at;
    const since = await api.posts.browse({filter: `published_at:>'${cut}'`, limit: 'all'});
    assert.equal(since.length, all.filter(p => Date.parse(p.published_at) > Date.parse(cut)).length);
    assert.ok(since.length >= 1 && since.length <= 5);

    const notPicked = await api.posts.browse({filter: `slug:-${PICKED}`, limit: 'all'});
    assert.equal(notPicked.length, DEMO_POSTS - 1);
});

test('posts.browse with fields, formats, include and order', async () => {
    const slim = await api.posts.browse({fields: ['title', 'slug'], limit: 3});
    for (const p of slim) {
        assert.deepEqual(Object.keys(p).sort(), ['slug', 'title']);
    }
    const both = await api.posts.browse({formats: ['html', 'plaintext'], limit: 2});
    for (const p of both) {
        assert.equal(typeof p.html, 'string');
        assert.equal(typeof p.plaintext, 'string');
        assert.ok(!p.plaintext.includes('<p>'));
    }
    const plain = await api.posts.browse({formats: 'plaintext', limit: 1});
    assert.equal(plain[0].html, undefined);
    const withRelations = await api.posts.browse({include: 'tags,authors', limit: 1});
    assert.ok(Array.isArray(withRelations[0].tags) && withRelations[0].primary_tag);
    const bare = await api.posts.browse({limit: 1});
    assert.equal(bare[0].tags, undefined);

    const asc = await api.posts.browse({order: 'published_at asc', limit: 'all'});
    const desc = await api.posts.browse({order: 'published_at desc', limit: 'all'});
    assert.deepEqual(asc.map(p => p.id), desc.map(p => p.id).reverse());
    const titlesAsc = await api.posts.browse({order: 'title asc', fields: 'id', limit: 'all'});
    const titlesDesc = await api.posts.browse({order: 'title desc', fields: 'id', limit: 'all'});
    assert.deepEqual(titlesAsc.map(p => p.id), titlesDesc.map(p => p.id).reverse());
});

test('posts.read by id and by slug', async () => {
    const bySlug = await api.posts.read({slug: PICKED}, {include: 'authors,tags'});
    assert.equal(bySlug.slug, PICKED);
    assert.equal(bySlug.featured, true);
    assert.equal(bySlug.primary_author.slug, PICKED_AUTHOR);
    assert.deepEqual(bySlug.tags.map(t => t.slug), PICKED_TAGS);
    const byId = await api.posts.read({id: bySlug.id}, {formats: ['plaintext']});
    assert.equal(byId.title, bySlug.title);
    assert.equal(typeof byId.plaintext, 'string');
    await assert.rejects(api.posts.read({slug: 'no-such-article'}), {name: 'NotFoundError', message: 'Post not found.'});
    await assert.rejects(api.posts.read({id: 'not-an-id'}), err => err.response.status === 400);
});

test('pages.browse lists the static pages and pages.read finds each', async () => {
    const pages = await api.pages.browse({formats: ['html']});
    assert.deepEqual(pages.map(p => p.slug).sort(), ['about', 'comment-policy', 'contact']);
    assert.deepEqual(pages.meta.pagination, {page: 1, limit: 15, pages: 1, total: 3, next: null, prev: null});
    const about = await api.pages.read({slug: 'about'}, {formats: ['html']});
    assert.ok(isObjectId(about.id));
    assert.equal(about.url, `${url}/about`);
    assert.match(about.html, /How we work/);
    const byId = await api.pages.read({id: about.id});
    assert.equal(byId.slug, 'about');
    assert.ok(!(await api.posts.browse({limit: 'all'})).some(p => p.id === about.id), 'page ids are not post ids');
    await assert.rejects(api.pages.read({slug: 'no-such-page'}), {name: 'NotFoundError', message: 'Page not found.'});
});

test('tags.browse and tags.read with post counts', async () => {
    const tags = await api.tags.browse({limit: 'all', include: 'count.posts'});
    assert.ok(tags.length > 0);
    for (const t of tags) {
        assert.ok(isObjectId(t.id));
        assert.ok(t.count.posts >= 1, `${t.slug} has published articles`);
        assert.equal(t.url, `${url}/topic/${t.slug}`);
    }
    const tag = await api.tags.read({slug: PICKED_TAGS[0]}, {include: 'count.posts'});
    const tagged = await api.posts.browse({filter: `tag:${tag.slug}`, limit: 'all'});
    assert.equal(tag.count.posts, tagged.length);
    const again = await api.tags.read({id: tag.id});
    assert.equal(again.slug, tag.slug);
    const page = await api.tags.browse({limit: 2, page: 1});
    assert.equal(page.meta.pagination.total, tags.length);
    await assert.rejects(api.tags.read({slug: 'no-such-topic'}), {name: 'NotFoundError'});
});

test('authors.browse and authors.read with post counts', async () => {
    const authors = await api.authors.browse({limit: 'all', include: 'count.posts'});
    assert.ok(authors.some(a => a.slug === PICKED_AUTHOR));
    const author = await api.authors.read({slug: PICKED_AUTHOR}, {include: 'count.posts'});
    const theirs = await api.posts.browse({filter: `author:${PICKED_AUTHOR}`, limit: 'all'});
    assert.equal(author.count.posts, theirs.length);
    assert.equal(author.url, `${url}/author/${PICKED_AUTHOR}`);
    const again = await api.authors.read({id: author.id});
    assert.equal(again.name, author.name);
    await assert.rejects(api.authors.read({slug: 'no-such-author'}), {name: 'NotFoundError'});
});

test('bad input is refused with Ghost\'s errors', async () => {
    await assert.rejects(api.posts.browse({filter: 'tag:[unclosed'}), err => {
        assert.equal(err.name, 'BadRequestError');
        assert.equal(err.response.status, 400);
        assert.match(err.message, /filter/);
        return true;
    });
    await assert.rejects(api.posts.browse({limit: 'lots'}), err => err.response.status === 400 && /limit/.test(err.message));
});

test('an unknown key is rejected', async () => {
    const stranger = new GhostContentAPI({url, key: '0123456789abcdef0123456789', version: 'v5.0'});
    await assert.rejects(stranger.posts.browse(), err => {
        assert.equal(err.name, 'UnauthorizedError');
        assert.equal(err.response.status, 401);
        assert.equal(err.message, 'Unknown Content API Key');
        return true;
    });
    await assert.rejects(stranger.settings.browse(), {name: 'UnauthorizedError'});
});
