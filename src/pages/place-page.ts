// The page behind a poster's QR code, /p/<window|staff>/<token>: the stages just completed at that
// window (or by that staff member), each opening its own rating page, and a rating of the window or
// staff member itself. Server-rendered with a small script; it uses the public place API.
import { Type } from 'typebox';
import type { App } from '../http/app-type.ts';
import type { AppContext } from '../http/context.ts';
import type { PublicLimits } from '../http/rate-limits.ts';
import { BAD_LEVELS } from '../evaluations/levels.ts';
import { levelChoices } from '../ratings/queries.ts';
import { placeFacts, placeIdOf } from '../ratings/places.ts';
import { AppError } from '../errors.ts';
import { escapeHtml, message, page } from './simple-page.ts';

// Asks for a stage's link and goes there; rates the place itself with a client id kept across retries.
// Which levels are 差评 (reasons required) comes from the one definition, written into the script.
const SCRIPT = `(function(){
var bad=${JSON.stringify([...BAD_LEVELS])};function isBad(l){return bad.indexOf(l)>=0;}
var api=location.pathname.replace('/p/','/api/v1/public/places/');var r=document.getElementById('result');
function say(t){r.textContent=t;}
function post(url,body){return fetch(url,{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify(body||{})}).then(function(x){return x.json().then(function(j){if(!x.ok)throw j;return j;});});}
var level=0,id=(window.crypto&&crypto.randomUUID?crypto.randomUUID():String(Date.now())+Math.random().toString(36).slice(2)).replace(/[^A-Za-z0-9_-]/g,'');
document.querySelectorAll('input[name=level]').forEach(function(i){i.addEventListener('change',function(){level=+i.value;
document.getElementById('reasons').hidden=!isBad(level);});});
document.getElementById('rate').addEventListener('submit',function(ev){ev.preventDefault();
var codes=[].slice.call(document.querySelectorAll('input[name=reason]:checked')).map(function(i){return i.value;});
if(!level){say('请选择满意程度 / Please choose a level');return;}
if(isBad(level)&&!codes.length){say('请至少选择一项不满意的原因 / Please choose at least one reason');return;}
say('正在提交… / Sending…');
post(api+'/rating',{clientId:id,level:level,indicators:isBad(level)?codes:[],comment:document.getElementById('comment').value||undefined,anonymous:true,website:document.getElementById('website').value})
.then(function(j){document.getElementById('rate').hidden=true;say('感谢您的评价！回执号 '+j.receiptNo+' / Thank you! Receipt '+j.receiptNo);})
.catch(function(e){say(e&&e.message?e.message+' / '+e.messageEn:'网络异常，请重试 / Network error, please retry');});});
})();`;

export function registerPlacePage(app: App, context: Pick<AppContext, 'config' | 'database' | 'clock' | 'intake'>, limits: PublicLimits): void {
  const db = context.database.db;
  app.get(
    '/p/:kind/:token',
    { onRequest: [limits.perIp], schema: { hide: true, params: Type.Object({ kind: Type.Union([Type.Literal('window'), Type.Literal('staff')]), token: Type.String({ maxLength: 100 }) }) } },
    async (request, reply) => {
      const { kind, token } = request.params;
      let id: string;
      try {
        id = placeIdOf(context.config, kind, token, context.clock());
      } catch (error) {
        if (error instanceof AppError) return page(reply, 404, '二维码无效', message('二维码无效', 'This code is not valid.'));
        throw error;
      }
      const place = await placeFacts(db, kind, id);
      if (!place) return page(reply, 404, '二维码无效', message('二维码无效', 'This code is not valid.'));
      const who = kind === 'window' ? (place.windowName ?? '') : `${place.staffName ?? ''}${place.windowName ? `（${place.windowName}）` : ''}`;
      // A window or a staff member is rated on the service in person: the offline indicators.
      const levels = levelChoices(context.intake.catalogue, 'offline');
      const choices = levels
        .map((l) => `<label class="choice"><input type="radio" name="level" value="${l.level}"> ${escapeHtml(l.zh)} <span class="en" lang="en">${escapeHtml(l.en)}</span></label>`)
        .join('');
      const reasons = (levels.find((l) => l.level === 1)?.indicators ?? [])
        .map((i) => `<label class="choice"><input type="checkbox" name="reason" value="${escapeHtml(i.code)}"> ${escapeHtml(i.zh)}</label>`)
        .join('');
      const body =
        `<h1>${escapeHtml(place.orgName)}</h1><p>${escapeHtml(place.regionName)} · ${escapeHtml(who)}</p>` +
        `<h2>评价${kind === 'window' ? '本窗口' : '工作人员'}服务 <span class="en" lang="en">Rate this ${kind === 'window' ? 'window' : 'staff member'}</span></h2>` +
        `<form id="rate"><fieldset><legend>满意程度 / How satisfied are you?</legend>${choices}</fieldset>` +
        `<fieldset id="reasons" hidden><legend>不满意的原因（至少一项）/ What went wrong (at least one)</legend>${reasons}</fieldset>` +
        `<label for="comment">文字评价（选填）/ Comment (optional)</label><textarea id="comment" maxlength="${context.config.rules.commentMaxChars}" rows="3"></textarea>` +
        `<input id="website" name="website" tabindex="-1" autocomplete="off" aria-hidden="true" style="position:absolute;left:-9999px">` +
        `<button type="submit">提交评价 <span lang="en">Submit</span></button></form>` +
        `<p id="result" role="status" aria-live="polite"></p><p class="en">评价自愿，匿名提交。/ Rating is voluntary and anonymous.</p>`;
      return page(reply, 200, '服务评价', body, SCRIPT);
    },
  );
}
