/**
 * "Firefox on Windows": a readable name for the device behind a session, from its User-Agent.
 * Deliberately small: the common browsers and systems, in the order that disambiguates them
 * (Edge and Opera also say "Chrome"; Chrome also says "Safari"). Anything else is "Unknown".
 */
const BROWSERS: [RegExp, string][] = [
  [/Edg(e|A|iOS)?\//, 'Edge'],
  [/OPR\/|Opera/, 'Opera'],
  [/SamsungBrowser\//, 'Samsung Internet'],
  [/Firefox\/|FxiOS\//, 'Firefox'],
  [/Chrome\/|CriOS\/|Chromium\//, 'Chrome'],
  [/Version\/[\d.]+.*Safari\//, 'Safari'],
  [/curl\//, 'curl'],
  [/node|undici/i, 'Node.js'],
  [/HeadlessChrome/, 'Chrome (headless)'],
];

const SYSTEMS: [RegExp, string][] = [
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Android/, 'Android'],
  [/Windows NT/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/CrOS/, 'ChromeOS'],
  [/Linux/, 'Linux'],
];

import type { Device } from './auth';

export type { Device };

export function describeDevice(userAgent: string | null): Device {
  const ua = userAgent ?? '';
  const browser =
    (ua.includes('HeadlessChrome') ? 'Chrome (headless)' : BROWSERS.find(([pattern]) => pattern.test(ua))?.[1]) ??
    'Unknown browser';
  const os = SYSTEMS.find(([pattern]) => pattern.test(ua))?.[1] ?? 'unknown system';
  return { browser, os, label: `${browser} on ${os}` };
}
