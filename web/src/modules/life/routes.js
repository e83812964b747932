// The 组织生活 module's pages.
export default [
  { path: '/life', component: () => import('./Life.vue'), meta: { manage: true } },
  { path: '/life/activity/:id', component: () => import('./ActivityDetail.vue') },
  { path: '/compliance', component: () => import('./Compliance.vue'), meta: { manage: true } },
  { path: '/study', component: () => import('./Study.vue'), meta: { manage: true } },
  { path: '/mylife', component: () => import('./MyLife.vue') },
  { path: '/signin/:id', component: () => import('./SignIn.vue'), meta: { bare: true } },
];
