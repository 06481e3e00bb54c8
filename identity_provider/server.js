// The province's unified identity service (统一身份认证) as the portal meets it, for the demo
// and the tests: node-oidc-provider (a certified OpenID provider) with the demo staff of
// several departments and members of the public, on 127.0.0.1 (scripts/identity.sh).
//
//   node server.js --port 58980 --users users.json --clients clients.json --state DIR
//
// The users file is read again whenever it changes, so a department's membership changed
// at the "staff records" shows at the next sign-in (tests/test_identity.py does that).
// Keys (signing and cookies) are made once into the state folder and kept.
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '58980' },
    users: { type: 'string' },
    clients: { type: 'string' },
    state: { type: 'string' },
  },
});
const PORT = Number(args.port);
const ISSUER = `http://127.0.0.1:${PORT}`;
mkdirSync(args.state, { recursive: true });

// --- keys, made once --------------------------------------------------------------------
function kept(name, make) {
  const file = path.join(args.state, name);
  if (!existsSync(file)) writeFileSync(file, JSON.stringify(make()), { mode: 0o600 });
  return JSON.parse(readFileSync(file, 'utf8'));
}
const jwks = kept('jwks.json', () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' }] };
});
const cookieKeys = kept('cookie-keys.json', () => [randomBytes(32).toString('base64url')]);

// --- the staff records --------------------------------------------------------------------
let users = []; let usersMtime = 0;
function currentUsers() {
  const mtime = statSync(args.users).mtimeMs;
  if (mtime !== usersMtime) {
    users = JSON.parse(readFileSync(args.users, 'utf8')).users;
    usersMtime = mtime;
  }
  return users;
}
const bySub = (sub) => currentUsers().find((u) => u.sub === sub);
const byUsername = (name) => currentUsers().find((u) => u.username === name);

async function findAccount(ctx, sub) {
  const user = bySub(sub);
  if (!user) return undefined;
  return {
    accountId: sub,
    async claims() {
      const claims = {
        sub, name: user.name, preferred_username: user.username,
        email: user.email, email_verified: true,
      };
      // Members of the public have no departments: the claim is absent, not empty.
      if (user.departments !== undefined) claims.departments = user.departments;
      return claims;
    },
  };
}

// --- pages (Chinese or English, by the client's ui_locales) -------------------------------
const TEXT = {
  zh: {
    lang: 'zh-CN', title: '辽宁省统一身份认证平台', login: '登录', username: '用户名', password: '密码',
    cancel: '取消', wrong: '用户名或密码错误', logoutTitle: '退出统一身份认证',
    logoutAsk: '是否退出统一身份认证平台？', logoutYes: '退出', logoutNo: '暂不退出',
    error: '出错了', done: '您已退出统一身份认证平台。',
  },
  en: {
    lang: 'en', title: 'Liaoning unified identity', login: 'Sign in', username: 'User name',
    password: 'Password', cancel: 'Cancel', wrong: 'Wrong user name or password',
    logoutTitle: 'Sign out of the unified identity', logoutAsk: 'Sign out of the unified identity service?',
    logoutYes: 'Sign out', logoutNo: 'Stay signed in', error: 'Something went wrong',
    done: 'You have signed out of the unified identity service.',
  },
};
const textFor = (locales) => (String(locales || '').trim().toLowerCase().startsWith('en') ? TEXT.en : TEXT.zh);
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const STYLE = 'body{font-family:"Noto Sans CJK SC",sans-serif;background:#f4f6f9;margin:0}'
  + 'main{max-width:360px;margin:60px auto;background:#fff;padding:24px 32px;border-radius:4px;'
  + 'box-shadow:0 1px 3px rgba(0,0,0,.2)}h1{font-size:1.3em;color:#b50d0d}label{display:block;margin:12px 0 4px}'
  + 'input{width:100%;box-sizing:border-box;padding:6px}button{margin:16px 8px 0 0;padding:6px 16px}'
  + '.error{color:#b50d0d}';
function page(t, title, body) {
  return `<!DOCTYPE html><html lang="${t.lang}"><head><meta charset="utf-8">`
    + '<meta name="viewport" content="width=device-width, initial-scale=1">'
    // no favicon request (a browser's 404 at the provider would count as a failed request)
    + '<link rel="icon" href="data:,">'
    + `<title>${esc(title)}</title><style>${STYLE}</style></head>`
    + `<body><main><h1>${esc(t.title)}</h1>${body}</main></body></html>`;
}
function loginPage(t, uid, error, username = '') {
  return page(t, `${t.login} · ${t.title}`,
    `${error ? `<p class="error" role="alert">${esc(error)}</p>` : ''}`
    + `<form method="post" action="/interaction/${esc(uid)}/login" autocomplete="off">`
    + `<label for="username">${esc(t.username)}</label><input id="username" name="username" value="${esc(username)}" required autofocus>`
    + `<label for="password">${esc(t.password)}</label><input id="password" name="password" type="password" required>`
    + `<button type="submit" id="sign-in">${esc(t.login)}</button></form>`
    + `<form method="post" action="/interaction/${esc(uid)}/abort"><button type="submit" id="cancel">${esc(t.cancel)}</button></form>`);
}

const provider = new Provider(ISSUER, {
  clients: JSON.parse(readFileSync(args.clients, 'utf8')).clients,
  findAccount,
  jwks,
  cookies: { keys: cookieKeys },
  scopes: ['openid', 'profile', 'email', 'departments'],
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email', 'email_verified'],
    departments: ['departments'],
  },
  // Every client uses PKCE (S256), confidential ones too.
  pkce: { required: () => true },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        const t = textFor(ctx.oidc.params?.ui_locales);
        ctx.type = 'html';
        ctx.body = page(t, t.logoutTitle, `<p>${esc(t.logoutAsk)}</p>${form}`
          + `<button type="submit" form="op.logoutForm" value="yes" name="logout" id="sign-out">${esc(t.logoutYes)}</button>`
          + `<button type="submit" form="op.logoutForm" id="stay">${esc(t.logoutNo)}</button>`);
      },
      async postLogoutSuccessSource(ctx) {
        const t = textFor(ctx.oidc.params?.ui_locales);
        ctx.type = 'html';
        ctx.body = page(t, t.logoutTitle, `<p>${esc(t.done)}</p>`);
      },
    },
  },
  async renderError(ctx, out) {
    const t = textFor(ctx.oidc?.params?.ui_locales);
    ctx.type = 'html';
    ctx.body = page(t, t.error, `<p>${esc(t.error)}</p>${Object.entries(out)
      .map(([k, v]) => `<p><strong>${esc(k)}</strong>: ${esc(v)}</p>`).join('')}`);
  },
});

// --- the interaction: sign-in, the first-party portal's grant without a consent screen -------
async function formBody(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}
function send(res, status, html) {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(html);
}

async function grantFor(accountId, details) {
  const grant = details.grantId ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId, clientId: details.params.client_id });
  grant.addOIDCScope(String(details.params.scope || 'openid'));
  return grant.save();
}

async function interaction(req, res, uid, step) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return send(res, 400, 'interaction mismatch');
  const t = textFor(details.params.ui_locales);
  if (step === undefined && req.method === 'GET') {
    if (details.prompt.name === 'login') return send(res, 200, loginPage(t, uid));
    // Signed in already, only the grant missing: granted for the portal (first party).
    const accountId = details.session.accountId;
    return provider.interactionFinished(req, res,
      { consent: { grantId: await grantFor(accountId, details) } }, { mergeWithLastSubmission: true });
  }
  if (step === '/abort' && req.method === 'POST') {
    return provider.interactionFinished(req, res,
      { error: 'access_denied', error_description: 'End-User aborted interaction' },
      { mergeWithLastSubmission: false });
  }
  if (step === '/login' && req.method === 'POST') {
    const form = await formBody(req);
    const user = byUsername(form.get('username') || '');
    if (!user || user.password !== form.get('password')) {
      return send(res, 200, loginPage(t, uid, t.wrong, form.get('username') || ''));
    }
    return provider.interactionFinished(req, res, {
      login: { accountId: user.sub },
      consent: { grantId: await grantFor(user.sub, { ...details, grantId: undefined }) },
    }, { mergeWithLastSubmission: false });
  }
  return send(res, 405, 'method not allowed');
}

const callback = provider.callback();
const server = http.createServer((req, res) => {
  const match = new URL(req.url, ISSUER).pathname.match(/^\/interaction\/([\w-]+)(\/login|\/abort)?$/);
  if (!match) return callback(req, res);
  return interaction(req, res, match[1], match[2]).catch((error) => {
    console.error(error);
    send(res, 400, page(TEXT.zh, TEXT.zh.error, `<p>${esc(TEXT.zh.error)} / ${esc(TEXT.en.error)}: ${esc(error.message)}</p>`));
  });
});
server.listen(PORT, '127.0.0.1', () => console.log(`identity provider ${ISSUER}`));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
