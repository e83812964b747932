import { createRouter, createWebHashHistory } from 'vue-router';
import { session, loadSession } from './api.js';

// Each module's pages come from its folder (modules/<name>/routes.js), so a
// new module adds a folder and changes nothing here; the platform's own
// pages (login, dashboard, figures, findings, 待办) and views the modules
// share live in views/.
const moduleRoutes = Object.values(import.meta.glob('./modules/*/routes.js', { eager: true })).flatMap((m) => m.default);

const routes = [
  { path: '/login', component: () => import('./views/Login.vue'), meta: { public: true } },
  { path: '/', component: () => import('./views/Dashboard.vue'), meta: { manage: true } },
  { path: '/findings', component: () => import('./views/Findings.vue'), meta: { manage: true, ownQuery: true } },
  { path: '/figures', component: () => import('./views/Figures.vue'), meta: { manage: true } },
  { path: '/figures/:id', component: () => import('./views/Figure.vue'), meta: { manage: true, ownQuery: true } },
  { path: '/todos', component: () => import('./views/Todos.vue') },
  ...moduleRoutes,
  { path: '/:rest(.*)*', redirect: '/' },
];

const router = createRouter({ history: createWebHashHistory(), routes });

router.beforeEach(async (to) => {
  if (!session.loaded) await loadSession();
  if (to.meta.public) return true;
  if (!session.user) return { path: '/login', query: { next: to.fullPath } };
  if (session.user.role === 'member' && (to.meta.manage || to.meta.admin)) return '/mylife';
  if (to.meta.admin && session.user.role !== 'admin') return '/';
  return true;
});

export default router;
