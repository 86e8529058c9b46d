import { createApp } from '@backstage/frontend-defaults';
import { navModule } from './modules/nav';
import { searchModule } from './modules/search';
import { signInModule } from './modules/signIn';

// Plugins (catalog, catalog graph, search, kubernetes, notifications, signals,
// org, user settings and sled) are discovered from package.json: app.packages: all.
export default createApp({
  features: [navModule, signInModule, searchModule],
});
