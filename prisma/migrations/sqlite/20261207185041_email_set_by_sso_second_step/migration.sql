-- AlterTable
ALTER TABLE "User" ADD COLUMN "emailSetBy" TEXT;

-- AlterTable
ALTER TABLE "PendingSignIn" ADD COLUMN "firstAmr" TEXT;
ALTER TABLE "PendingSignIn" ADD COLUMN "ssoIssuer" TEXT;
ALTER TABLE "PendingSignIn" ADD COLUMN "ssoSid" TEXT;
