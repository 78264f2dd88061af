// xieguan field app: the phone's clock against the "now" a server-rendered page carries.
// A new record's time field is filled by the server with its now, in China time. The phone reads
// that field (and sends it) in its own time zone, so the phone's now replaces it when the two
// differ by more than STALE_MINUTES, earlier or later: a page kept by 离线准备 and opened hours
// later, or a phone set to another time zone (on UTC the page's China time was 8 hours ahead and
// refused as later than now). The one definition of that rule, used by the 附表1 form
// (inspection-form.js) and by the offline forms (offline-forms.js: 接报时间, 发现时间, ...).
// docs/offline.md, "Forms that work offline".
export const STALE_MINUTES = 10;

// An instant (ISO string) as a datetime-local value ("YYYY-MM-DDTHH:MM") on this phone's clock.
export function isoToLocal(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
}

// The phone's now as a datetime-local value.
export function localNow() {
  return isoToLocal(new Date().toISOString());
}

// For a datetime-local value the page set to its "now": the phone's now when the two are more
// than STALE_MINUTES apart, or null when the page's value can stay.
export function phoneNowFor(value) {
  const at = value ? Date.parse(value) : NaN;
  if (Number.isNaN(at) || Math.abs(at - Date.now()) <= STALE_MINUTES * 60000) return null;
  return localNow();
}
