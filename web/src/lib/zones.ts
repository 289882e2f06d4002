// The IANA zones the browser knows (for the zone pickers).
export const zones: string[] = (() => {
  try { return (Intl as unknown as { supportedValuesOf: (k: string) => string[] }).supportedValuesOf('timeZone') } catch { return ['UTC', 'Asia/Shanghai'] }
})()
