/* Settings > SALESmanago: "Test connection" sends the form's values (unsaved) to the test view,
 * shows SALESmanago's answer in words, and offers the account's users as owners.
 * A Stimulus controller in a static file, so the admin works under a strict Content Security Policy.
 */
class SalesmanagoConnectionTestController extends window.StimulusModule.Controller {
  static targets = ['button', 'result', 'owners'];

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
    this.show(this.testingValue, true);
    this.buttonTarget.disabled = true;
    fetch(this.urlValue, {
      method: 'POST',
      body: new FormData(this.form),
      credentials: 'same-origin',
      headers: { Accept: 'application/json' },
    })
      .then((response) => response.json())
      .then((data) => {
        this.show(data.message, data.ok);
        this.offer(data.users || []);
      })
      .catch(() => this.show(this.failedValue, false))
      .finally(() => {
        this.buttonTarget.disabled = false;
      });
  }

  show(message, ok) {
    this.resultTarget.textContent = message;
    this.resultTarget.classList.add('help-block');
    this.resultTarget.classList.toggle('help-critical', !ok);
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
