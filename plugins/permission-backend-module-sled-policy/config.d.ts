export interface Config {
  sled?: {
    /** The example role-based policy (plugin permission-backend-module-sled-policy). */
    policy?: {
      roles: Array<{
        /** shown in denials and logs */
        name: string;
        /**
         * Who has the role: user or group entity refs matched against the
         * signed-in user's ownership claims, or '*' for every signed-in user.
         */
        members: string[];
        /** read, deploy, cancel, approve, gateOverride, lock, overrideLock, registerArtifact, release */
        actions: string[];
        /**
         * environments the role applies to; all when absent. Not used for
         * `release`: each member deploy of a release is checked in its
         * environment with `deploy`.
         */
        environments?: string[];
        /**
         * only for services the user's team owns; for `release`, only for
         * deploy groups the user's team owns
         */
        requireOwnership?: boolean;
      }>;
    };
  };
}
