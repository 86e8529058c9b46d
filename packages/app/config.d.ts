export interface Config {
  app?: {
    signIn?: {
      /**
       * Offer guest sign-in (development only; the backend's guest provider must be on too).
       * @visibility frontend
       */
      guest?: boolean;
    };
  };
}
