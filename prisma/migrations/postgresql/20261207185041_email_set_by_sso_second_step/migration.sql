-- AlterTable
ALTER TABLE "User" ADD COLUMN     "emailSetBy" TEXT;

-- AlterTable
ALTER TABLE "PendingSignIn" ADD COLUMN     "firstAmr" TEXT,
ADD COLUMN     "ssoIssuer" TEXT,
ADD COLUMN     "ssoSid" TEXT;
