/* Settings > SALESmanago: "Test connection" sends the form's values (unsaved) to the test view,
 * shows SALESmanago's answer in words, and offers the account's users as owners.
 * A Stimulus controller in a static file, so the admin works under a strict Content Security Policy.
 */
class SalesmanagoConnectionTestController extends window.StimulusModule.Controller {
  static targets = ['button', 'result', 'owners', 'template'];

  static values = { url: String, testing: String, failed: String };

  connect() {
    const owner = this.form && this.form.querySelector('input[name=owner_email]');
    if (owner) {
      owner.setAttribute('list', this.ownersTarget.id);
    }
  }

  get form() {
    return this.element.closest('form');
  }

  test() {
    // Busy, not disabled: a disabled button drops the keyboard focus to <body>.
    if (this.busy) {
      return;
    }
    this.busy = true;
    this.buttonTarget.setAttribute('aria-disabled', 'true');
    this.show(this.testingValue, 'info');
    fetch(this.urlValue, {
      method: 'POST',
      body: new FormData(this.form),
      credentials: 'same-origin',
      headers: { Accept: 'application/json' },
    })
      .then((response) => response.json())
      .then((data) => {
        this.show(data.message, data.ok ? 'success' : 'error');
        this.offer(data.users || []);
      })
      .catch(() => this.show(this.failedValue, 'error'))
      .finally(() => {
        this.busy = false;
        this.buttonTarget.removeAttribute('aria-disabled');
      });
  }

  // type: 'success', 'error' or 'info', as the templates in the panel (Wagtail's message markup).
  show(message, type) {
    const template = this.templateTargets.find((each) => each.dataset.type === type);
    const item = template.content.firstElementChild.cloneNode(true);
    item.querySelector('span').textContent = message;
    this.resultTarget.replaceChildren(item);
    // In view above the editor's sticky footer (the stylesheet's scroll-margin), not under it.
    item.scrollIntoView({ block: 'nearest' });
  }

  offer(users) {
    this.ownersTarget.replaceChildren(
      ...users.map((user) => {
        const option = document.createElement('option');
        option.value = user;
        return option;
      }),
    );
  }
}

window.wagtail.app.register('salesmanago-connection-test', SalesmanagoConnectionTestController);
