// The user module's pages.
export default [
  { path: '/users', component: () => import('./Users.vue'), meta: { manage: true } },
];
