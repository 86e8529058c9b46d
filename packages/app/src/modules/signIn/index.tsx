import { SignInPage, SignInProviderConfig } from '@backstage/core-components';
import {
  coreApis,
  createFrontendModule,
  googleAuthApiRef,
  useApi,
} from '@backstage/frontend-plugin-api';
import {
  SignInPageBlueprint,
  SignInPageProps,
} from '@backstage/plugin-app-react';

const googleProvider: SignInProviderConfig = {
  id: 'google-auth-provider',
  title: 'Google',
  message: 'Sign in with your company Google account',
  apiRef: googleAuthApiRef,
};

/** Google always; guest only where `app.signIn.guest` is on (development). */
export function SledSignInPage(props: SignInPageProps) {
  const config = useApi(coreApis.config);
  const guest = config.getOptionalBoolean('app.signIn.guest') ?? false;
  return (
    <SignInPage
      {...props}
      title="SLeD for Backstage"
      align="center"
      providers={guest ? ['guest', googleProvider] : [googleProvider]}
    />
  );
}

export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [
    SignInPageBlueprint.make({
      params: { loader: async () => SledSignInPage },
    }),
  ],
});
