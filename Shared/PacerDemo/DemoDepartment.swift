import Foundation

/// The department the demo plays: a head and twenty managers in three teams, sixty client
/// companies, and the sources, regions and products they deal in. Deterministic from a seed.
struct DemoDepartment {
    struct Person {
        var id: String
        var name: String
        var role: String
        var teamId: String?
        var extensionNumber: String
        var phone: String
        var region: String?
    }

    struct Client {
        var id = ""
        var name: String
        var inn: String
        var account: String
        var phone: String
        var managerId: String
        var segment: String
        var region: String
        var source: String
    }

    static let regions = ["Москва", "Санкт-Петербург", "Казань", "Екатеринбург", "Новосибирск", "Нижний Новгород"]
    static let segments = ["smb", "enterprise", "government"]
    static let sources = ["website", "referral", "cold_call", "exhibition", "partner"]
    static let categories = [("equipment", "Поставка оборудования"), ("software", "Лицензии"), ("service", "Сервисный контракт")]
    static let lossReasons = ["price", "competitor", "no_budget", "no_response", "not_qualified"]
    static let openStages = ["new", "qualified", "proposal", "negotiation", "contract"]

    var head: Person
    var managers: [Person]
    var clients: [Client]

    init(random: inout DemoRandom) {
        head = Person(id: "head", name: "Ольга Смирнова", role: "head", teamId: nil, extensionNumber: "100", phone: "+79160000100", region: nil)
        let names = ["Анна Петрова", "Борис Иванов", "Вера Кузнецова", "Глеб Соколов", "Дина Морозова", "Егор Волков", "Жанна Лебедева",
                     "Захар Новиков", "Ирина Козлова", "Кирилл Попов", "Лариса Васильева", "Максим Павлов", "Нина Семёнова",
                     "Олег Голубев", "Полина Виноградова", "Роман Богданов", "Светлана Воробьёва", "Тимур Фёдоров", "Ульяна Михайлова",
                     "Фёдор Беляев"]
        let ids = ["anna", "boris", "vera", "gleb", "dina", "egor", "zhanna", "zakhar", "irina", "kirill", "larisa", "maxim", "nina",
                   "oleg", "polina", "roman", "svetlana", "timur", "ulyana", "fedor"]
        let teams = ["team-north", "team-south", "team-key"]
        managers = names.indices.map { index in
            Person(id: ids[index], name: names[index], role: "manager", teamId: teams[index % 3], extensionNumber: String(101 + index),
                   phone: "+7916000\(String(101 + index).paddingLeft(4))", region: Self.regions[index % Self.regions.count])
        }
        let companies = ["Ромашка", "Вектор", "СтройМаш", "Альфа-Трейд", "Север", "ТехноПарк", "Медиана", "Гранит", "Орион", "Балтика",
                         "Уралсталь", "Восход", "Лидер", "Мегаполис", "Кристалл", "Прогресс", "Фаворит", "Сибирь", "Волна", "Зенит",
                         "Полюс", "Феникс", "Горизонт", "Созвездие", "Меридиан", "Атлант", "Квант", "Спектр", "Гефест", "Норд",
                         "Империал", "Стандарт", "Интеграл", "Магистраль", "Пилот", "Ресурс", "Сфера", "Титан", "Форвард", "Эталон",
                         "Аврора", "Бастион", "Веста", "Гарант", "Домострой", "Енисей", "Жемчуг", "Заря", "Ирбис", "Кедр",
                         "Ладога", "Мираж", "Нева", "Омега", "Парус", "Рубин", "Сокол", "Тайга", "Уют", "Факел"]
        var clients: [Client] = []
        for (index, company) in companies.enumerated() {
            let manager = managers[index % managers.count]
            clients.append(Client(name: "ООО «\(company)»", inn: Self.inn(random: &random), account: "407028100000000\(String(10_000 + index))",
                                  phone: "+7495\(String(2_000_000 + index * 7_919).paddingLeft(7))", managerId: manager.id,
                                  segment: Self.segments[random.next(3)], region: manager.region ?? "Москва",
                                  source: Self.sources[random.next(Self.sources.count)]))
        }
        self.clients = clients
    }

    /// A ten-digit company INN with its check digit.
    static func inn(random: inout DemoRandom) -> String {
        var digits = [7, 7] + (0..<7).map { _ in random.next(10) }
        let weights = [2, 4, 10, 3, 5, 9, 4, 6, 8]
        digits.append(zip(weights, digits).map(*).reduce(0, +) % 11 % 10)
        return digits.map(String.init).joined()
    }
}

/// A small deterministic generator: the same seed gives the same department and the same month.
struct DemoRandom {
    var state: UInt64

    mutating func next(_ bound: Int) -> Int {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Int((state >> 33) % UInt64(max(bound, 1)))
    }

    mutating func chance(_ percent: Int) -> Bool { next(100) < percent }
}

extension String {
    func paddingLeft(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
