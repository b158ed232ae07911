// @ts-check

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  // The image ships Next.js's traced server only (Dockerfile, scripts/image-files.mjs); everywhere
  // else `next start` serves the build.
  ...(process.env.NEXT_OUTPUT === 'standalone' ? { output: /** @type {const} */ ('standalone') } : {}),
  reactStrictMode: true,
  // Native and CLI packages stay outside the server bundle and are loaded from node_modules.
  serverExternalPackages: [
    'better-sqlite3',
    '@node-rs/argon2',
    '@prisma/adapter-better-sqlite3',
    '@prisma/adapter-pg',
    'pg',
  ],
  // Headers for documents: pages and everything else but the API, whose answers set their own
  // (nosniff and no-store, lib/http/problem.ts), so that no API request pays for matching these.
  async headers() {
    return [
      {
        source: '/((?!api$|api/).*)',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
          { key: 'X-Frame-Options', value: 'DENY' },
          // Powerful browser features this app never uses, off for it and anything it embeds.
          {
            key: 'Permissions-Policy',
            value:
              'camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), browsing-topics=()',
          },
        ],
      },
    ];
  },
};

module.exports = nextConfig;
