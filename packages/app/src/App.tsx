import { createApp } from '@backstage/frontend-defaults';
import { catalogGraphModule } from './modules/catalogGraph';
import { navModule } from './modules/nav';
import { searchModule } from './modules/search';
import { signInModule } from './modules/signIn';

// Plugins (catalog, catalog graph, search, kubernetes, notifications, signals,
// org, user settings and sled) are discovered from package.json: app.packages: all.
// Routes, redirects and the entity page's tab groups are in app-config.yaml (app.extensions).
export default createApp({
  features: [navModule, signInModule, searchModule, catalogGraphModule],
});
