// xieguan service worker, version {{ version }} (made by xieguan/field/views.py; see docs/offline.md).
// Workbox (vendored, static/vendor/workbox) precaches the app shell; pages are answered from the
// network first and from the "xieguan-pages" cache when offline (filled as pages are opened and by
// 离线准备); a page never opened falls back to the offline page. The outbox lives in IndexedDB,
// which a new version of this worker never touches: queued records survive every update.
{% for script in workbox %}importScripts({{ script|safe }});
{% endfor %}
const VERSION = "{{ version }}";
const PAGES = "xieguan-pages";
const OFFLINE_URL = {{ offline_url|safe }};

// The JSON API never goes through this worker (nothing of it is cached): where the browser has
// the Service Worker Static Routing API (Chromium 123+), its requests go straight to the network,
// without waking the worker first (a stopped worker takes a second or more to start on a slow
// phone, before every upload of the outbox); elsewhere the fetch handler lets them through.
self.addEventListener("install", (event) => {
  if (event.addRoutes) {
    event.waitUntil(
      event.addRoutes([{ condition: { urlPattern: new URLPattern({ pathname: "/api/*" }) }, source: "network" }])
        .catch(() => {})
    );
  }
});

workbox.core.setCacheNameDetails({ prefix: "xieguan" });
// A new deployment takes over at once: the shell is replaced, the outbox is left alone.
workbox.core.skipWaiting();
workbox.core.clientsClaim();

workbox.precaching.precacheAndRoute({{ entries|safe }});
workbox.precaching.cleanupOutdatedCaches();

// Pages vary by Cookie and Accept-Language, which a stored request made by 离线准备 lacks:
// matched ignoring Vary (the cache is emptied at logout, and the app speaks one language).
// Only complete, non-redirected pages are kept (a login redirect is not the page asked for), and
// never one the server marked no-store (the second factor's secret, private photos, exports).
const noStore = (response) => /no-store/i.test(response.headers.get("Cache-Control") || "");
const onlyPages = {
  cacheWillUpdate: async ({ response }) =>
    response && response.status === 200 && !response.redirected && !noStore(response) ? response : null,
};
const expiry = new workbox.expiration.ExpirationPlugin({ maxEntries: 600, purgeOnQuotaError: false });

// A form opened with ?outbox=<id> (correcting a queued record) is the same page as without; so
// is the consultation form opened from an employer's page with ?employer=<id> (offline-forms.js
// then chooses that employer on the saved page).
const SAME_WITHOUT_QUERY = ["/outreach/consultations/new/"];
workbox.routing.registerRoute(
  ({ request, url }) =>
    request.mode === "navigate" && (url.searchParams.has("outbox") || SAME_WITHOUT_QUERY.includes(url.pathname)),
  new workbox.strategies.NetworkFirst({
    cacheName: PAGES,
    networkTimeoutSeconds: 6,
    plugins: [onlyPages, expiry],
    matchOptions: { ignoreSearch: true, ignoreVary: true },
  })
);
workbox.routing.registerRoute(
  ({ request, url }) => request.mode === "navigate" && !url.pathname.startsWith("/admin/") && !url.pathname.startsWith("/api/"),
  new workbox.strategies.NetworkFirst({
    cacheName: PAGES,
    networkTimeoutSeconds: 6,
    plugins: [onlyPages, expiry],
    matchOptions: { ignoreVary: true },
  })
);
// Other static files (not in the precache, e.g. a chart page's scripts) as they are used.
workbox.routing.registerRoute(
  ({ url }) => url.origin === self.location.origin && url.pathname.startsWith({{ static_url|safe }}),
  new workbox.strategies.StaleWhileRevalidate({
    cacheName: "xieguan-static",
    plugins: [new workbox.expiration.ExpirationPlugin({ maxEntries: 60 })],
  })
);
workbox.routing.setCatchHandler(async ({ request }) => {
  if (request.mode === "navigate") {
    const offline = await workbox.precaching.matchPrecache(OFFLINE_URL);
    if (offline) return offline;
  }
  return Response.error();
});

// The version this worker is (the outbox page shows it; tests compare it across an update).
self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "xieguan-version" && event.ports[0]) event.ports[0].postMessage(VERSION);
});

// Background Sync (Chromium): the browser wakes this worker when the network is back; the sync
// loop itself runs in an open page of the app (xieguan/field/sync.js), which answers when done.
// With no page open the event fails, and the browser tries again later; opening the app syncs.
// The event waits for each page's answer only while that page still exists (a page navigated
// away or closed never answers), and RELAY_WAIT at most: an extendable event still pending keeps
// a new version of this worker waiting even with skipWaiting (it used to wait up to 60 s).
const RELAY_WAIT = 30000;

function relay(client) {
  return new Promise((resolve) => {
    let poll = null;
    let timeout = null;
    const finish = () => {
      clearInterval(poll);
      clearTimeout(timeout);
      resolve();
    };
    const channel = new MessageChannel();
    channel.port1.onmessage = finish;
    client.postMessage({ type: "xieguan-sync" }, [channel.port2]);
    poll = setInterval(async () => {
      if (!(await self.clients.get(client.id))) finish();
    }, 500);
    timeout = setTimeout(finish, RELAY_WAIT);
  });
}

self.addEventListener("sync", (event) => {
  if (event.tag !== "xieguan-outbox") return;
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window" });
      if (!windows.length) throw new Error("no page of the app is open");
      await Promise.all(windows.map(relay));
    })()
  );
});
