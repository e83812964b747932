// The member module's pages.
export default [
  { path: '/members', component: () => import('./Members.vue'), meta: { manage: true } },
  { path: '/members/:id', component: () => import('./MemberDetail.vue') },
  { path: '/import', component: () => import('./Import.vue'), meta: { manage: true } },
  { path: '/me', component: () => import('./Me.vue') },
];
