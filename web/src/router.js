import { createRouter, createWebHashHistory } from 'vue-router';
import { session, loadSession } from './api.js';

const routes = [
  { path: '/login', component: () => import('./views/Login.vue'), meta: { public: true } },
  { path: '/', component: () => import('./views/Dashboard.vue'), meta: { manage: true } },
  { path: '/findings', component: () => import('./views/Findings.vue'), meta: { manage: true, ownQuery: true } },
  { path: '/figures', component: () => import('./views/Figures.vue'), meta: { manage: true } },
  { path: '/figures/:id', component: () => import('./views/Figure.vue'), meta: { manage: true, ownQuery: true } },
  { path: '/todos', component: () => import('./views/Todos.vue') },
  { path: '/orgs/:id?', component: () => import('./views/Orgs.vue'), meta: { manage: true } },
  { path: '/members', component: () => import('./views/Members.vue'), meta: { manage: true } },
  { path: '/members/:id', component: () => import('./views/MemberDetail.vue') },
  { path: '/import', component: () => import('./views/Import.vue'), meta: { manage: true } },
  { path: '/users', component: () => import('./views/Users.vue'), meta: { manage: true } },
  { path: '/audit', component: () => import('./views/Audit.vue'), meta: { admin: true } },
  { path: '/me', component: () => import('./views/Me.vue') },
  { path: '/life', component: () => import('./views/Life.vue'), meta: { manage: true } },
  { path: '/life/activity/:id', component: () => import('./views/ActivityDetail.vue') },
  { path: '/compliance', component: () => import('./views/Compliance.vue'), meta: { manage: true } },
  { path: '/study', component: () => import('./views/Study.vue'), meta: { manage: true } },
  { path: '/plans', component: () => import('./views/Plans.vue'), meta: { manage: true } },
  { path: '/plans/:id', component: () => import('./views/PlanDetail.vue'), meta: { manage: true } },
  { path: '/tasks', component: () => import('./views/Tasks.vue'), meta: { manage: true } },
  { path: '/assignments/:id', component: () => import('./views/AssignmentDetail.vue'), meta: { manage: true } },
  { path: '/mylife', component: () => import('./views/MyLife.vue') },
  { path: '/signin/:id', component: () => import('./views/SignIn.vue'), meta: { bare: true } },
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
