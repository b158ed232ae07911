-- A session becomes one row: the generation of its current refresh token replaces the row per
-- token. Today's chains carry over: each session keeps the jti of its current token (generation
-- 0) and of the one that token replaced (generation -1, a benign race within the grace window
-- from rotatedAt), so every token issued before the upgrade is still judged by rules 1-3.

-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "generation" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "legacyJti" TEXT,
ADD COLUMN     "legacyPreviousJti" TEXT,
ADD COLUMN     "refreshExpiresAt" TIMESTAMP(3),
ADD COLUMN     "rotatedAt" TIMESTAMP(3);

-- Carry the chains over: the current token (the newest unused one) and the one it replaced.
UPDATE "Session" s
SET "legacyJti" = c."id", "refreshExpiresAt" = c."expiresAt", "legacyPreviousJti" = c."previousId", "rotatedAt" = c."previousUsedAt"
FROM (
    SELECT DISTINCT ON (t."sessionId") t."sessionId", t."id", t."expiresAt", p."id" AS "previousId", p."usedAt" AS "previousUsedAt"
    FROM "RefreshToken" t
    LEFT JOIN "RefreshToken" p ON p."replacedById" = t."id"
    WHERE t."usedAt" IS NULL
    ORDER BY t."sessionId", t."issuedAt" DESC, t."id"
) c
WHERE c."sessionId" = s."id";

-- DropForeignKey
ALTER TABLE "RefreshToken" DROP CONSTRAINT "RefreshToken_sessionId_fkey";

-- DropTable
DROP TABLE "RefreshToken";

-- CreateIndex
CREATE INDEX "Session_revokedAt_idx" ON "Session"("revokedAt");

-- CreateIndex
CREATE INDEX "Session_expiresAt_idx" ON "Session"("expiresAt");
