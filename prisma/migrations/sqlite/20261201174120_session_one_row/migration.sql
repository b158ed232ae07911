-- A session becomes one row: the generation of its current refresh token replaces the row per
-- token. Today's chains carry over: each session keeps the jti of its current token (generation
-- 0) and of the one that token replaced (generation -1, a benign race within the grace window
-- from rotatedAt), so every token issued before the upgrade is still judged by rules 1-3.

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL,
    "revokedAt" DATETIME,
    "revokedReason" TEXT,
    "userAgent" TEXT,
    "ip" TEXT,
    "dpopJkt" TEXT,
    "generation" INTEGER NOT NULL DEFAULT 0,
    "rotatedAt" DATETIME,
    "refreshExpiresAt" DATETIME,
    "legacyJti" TEXT,
    "legacyPreviousJti" TEXT,
    CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Session" ("createdAt", "dpopJkt", "expiresAt", "id", "ip", "lastUsedAt", "revokedAt", "revokedReason", "userAgent", "userId",
                           "generation", "rotatedAt", "refreshExpiresAt", "legacyJti", "legacyPreviousJti")
SELECT s."createdAt", s."dpopJkt", s."expiresAt", s."id", s."ip", s."lastUsedAt", s."revokedAt", s."revokedReason", s."userAgent", s."userId",
       0, p."usedAt", t."expiresAt", t."id", p."id"
FROM "Session" s
-- The current token: the newest unused one (rotation keeps exactly one per session).
LEFT JOIN "RefreshToken" t ON t."id" = (
    SELECT c."id" FROM "RefreshToken" c
    WHERE c."sessionId" = s."id" AND c."usedAt" IS NULL
    ORDER BY c."issuedAt" DESC, c."id" LIMIT 1)
-- The token it replaced, and when.
LEFT JOIN "RefreshToken" p ON p."replacedById" = t."id";
DROP TABLE "Session";
ALTER TABLE "new_Session" RENAME TO "Session";
CREATE INDEX "Session_userId_idx" ON "Session"("userId");
CREATE INDEX "Session_revokedAt_idx" ON "Session"("revokedAt");
CREATE INDEX "Session_expiresAt_idx" ON "Session"("expiresAt");

-- DropIndex
DROP INDEX "RefreshToken_replacedById_key";

-- DropIndex
DROP INDEX "RefreshToken_sessionId_idx";

-- DropTable
DROP TABLE "RefreshToken";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
